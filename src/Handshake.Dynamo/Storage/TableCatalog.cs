using System.Collections.Concurrent;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Storage;

/// <summary>
/// The tables of the store, by name. Changed only by the writer thread (inside its transaction) and read from every
/// request thread, so it is a concurrent dictionary of definitions.
/// </summary>
internal sealed class TableCatalog
{
    private readonly ConcurrentDictionary<string, TableDefinition> _tables = new(StringComparer.Ordinal);

    public int Count => _tables.Count;

    public bool TryGet(string name, out TableDefinition table) => _tables.TryGetValue(name, out table!);

    public void Add(TableDefinition table) => _tables[table.Name] = table;

    public void Remove(string name) => _tables.TryRemove(name, out _);

    public void Clear() => _tables.Clear();

    /// <summary>Table names in ascending order, as ListTables returns them.</summary>
    public List<string> SortedNames()
    {
        var names = new List<string>(_tables.Keys);
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
