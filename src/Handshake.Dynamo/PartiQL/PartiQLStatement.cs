using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.PartiQL;

/// <summary>
/// A parsed PartiQL statement with its <c>?</c> parameters already bound: the WHERE clause is the same
/// <see cref="ConditionNode"/> tree a ConditionExpression parses to, and an UPDATE's SET/REMOVE the same
/// <see cref="UpdateAction"/>s, so statements run through the store's existing read and write commands.
/// </summary>
internal abstract class PartiQLStatement
{
    public required string TableName { get; init; }

    /// <summary>The index of <c>FROM "table"."index"</c>; null for the table.</summary>
    public string? IndexName { get; init; }

    public ConditionNode? Where { get; init; }

    public bool IsRead => this is SelectStatement;
}

internal sealed class SelectStatement : PartiQLStatement
{
    /// <summary>The projection list; null for <c>*</c>.</summary>
    public List<AttributePath>? Projection { get; init; }

    /// <summary>ORDER BY the key space's sort key DESC: the Query reads backward.</summary>
    public bool Descending { get; init; }

    /// <summary>The attribute named in ORDER BY, checked against the key schema once the table is known.</summary>
    public string? OrderBy { get; init; }

    /// <summary>Written as <c>EXISTS(SELECT ...)</c>: a transaction's condition check.</summary>
    public bool IsExists { get; init; }
}

internal sealed class InsertStatement : PartiQLStatement
{
    public required Dictionary<string, AttributeValue> Item { get; init; }
}

/// <summary>Which item an UPDATE or DELETE returns: the RETURNING clause as UpdateItem's ReturnValues.</summary>
internal enum Returning : byte
{
    None, AllOld, ModifiedOld, AllNew, ModifiedNew,
}

internal sealed class UpdateStatement : PartiQLStatement
{
    public required List<UpdateAction> Actions { get; init; }
    public Returning Returning { get; init; }
}

internal sealed class DeleteStatement : PartiQLStatement
{
    public Returning Returning { get; init; }
}
