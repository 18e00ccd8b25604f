using System.Text.Json.Nodes;

namespace Handshake.Lambda.Functions;

/// <summary>
/// A function's (or one qualifier's) resource-based policy, as AddPermission builds it: IAM statements in Lambda's
/// shape, and a RevisionId that changes with each statement added or removed. The host keeps and answers it; it does
/// not evaluate it (README: the host is one account and does not model IAM).
/// </summary>
public sealed class ResourcePolicy
{
    private readonly List<JsonObject> _statements = [];

    public string RevisionId { get; private set; } = Guid.NewGuid().ToString();

    public int Count => _statements.Count;

    /// <summary>A policy read back from the state database (see Persistence/FunctionDocuments.cs).</summary>
    internal static ResourcePolicy Restore(IEnumerable<JsonObject> statements, string revisionId)
    {
        ResourcePolicy policy = new() { RevisionId = revisionId };
        policy._statements.AddRange(statements);
        return policy;
    }

    /// <summary>A copy to change: the pool keeps the original until the changed policy is saved.</summary>
    internal ResourcePolicy Clone() => Restore(_statements.ConvertAll(static s => (JsonObject)s.DeepClone()), RevisionId);

    public bool Contains(string sid) => _statements.Exists(s => (string?)s["Sid"] == sid);

    public void Add(JsonObject statement)
    {
        _statements.Add(statement);
        RevisionId = Guid.NewGuid().ToString();
    }

    public bool Remove(string sid)
    {
        int removed = _statements.RemoveAll(s => (string?)s["Sid"] == sid);
        if (removed > 0)
        {
            RevisionId = Guid.NewGuid().ToString();
        }

        return removed > 0;
    }

    /// <summary>The policy document GetPolicy answers (as a JSON string, as Lambda does).</summary>
    public string Document()
    {
        JsonArray statements = [];
        foreach (JsonObject statement in _statements)
        {
            statements.Add(statement.DeepClone());
        }

        return new JsonObject { ["Version"] = "2012-10-17", ["Id"] = "default", ["Statement"] = statements }.ToJsonString();
    }
}
