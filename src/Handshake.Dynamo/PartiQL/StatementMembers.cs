using System.Text.Json;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Operations;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.PartiQL;

/// <summary>
/// The members of one statement: ExecuteStatement's request, a BatchStatementRequest, or a ParameterizedStatement
/// of ExecuteTransaction. Statement is 1 to 8192 characters; Parameters, when given, at least one value.
/// </summary>
internal sealed class StatementMembers
{
    public const int MaxStatementLength = 8192;

    public string? Statement, OnFailure;
    public List<AttributeValue>? Parameters;
    public bool ConsistentRead;
    public string? ValueError;

    /// <summary>Reads the current member if it is a statement member; false leaves it to the operation.</summary>
    public bool TryRead(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("Statement"u8)) { if (JsonRequest.ValueOf(ref reader)) Statement = JsonRequest.ReadString(ref reader); }
        else if (reader.ValueTextEquals("Parameters"u8)) { if (JsonRequest.ValueOf(ref reader)) Parameters = ReadParameters(ref reader, ref ValueError); }
        else if (reader.ValueTextEquals("ConsistentRead"u8)) { if (JsonRequest.ValueOf(ref reader)) ConsistentRead = JsonRequest.ReadBoolean(ref reader); }
        else if (reader.ValueTextEquals("ReturnValuesOnConditionCheckFailure"u8)) { if (JsonRequest.ValueOf(ref reader)) OnFailure = JsonRequest.ReadString(ref reader); }
        else return false;
        return true;
    }

    /// <summary>Reads a whole statement object (an element of Statements or TransactStatements).</summary>
    public static StatementMembers ReadObject(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        var members = new StatementMembers();
        while (JsonRequest.NextMember(ref reader))
            if (!members.TryRead(ref reader)) JsonRequest.SkipValue(ref reader);
        return members;
    }

    /// <summary>Reads a list of statement objects (Statements or TransactStatements); null elements are passed over.</summary>
    public static List<StatementMembers> ReadList(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectArray(ref reader);
        var statements = new List<StatementMembers>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            if (reader.TokenType != JsonTokenType.Null) statements.Add(ReadObject(ref reader));
        return statements;
    }

    /// <summary>
    /// The list's constraints (present, 1 to <paramref name="max"/> members; AWS's message echoes the list as its
    /// element shape's name, <paramref name="shape"/>) and each member's own, under <paramref name="path"/>.
    /// </summary>
    public static void ValidateList(List<StatementMembers>? statements, string path, string shape, int max, ValidationErrors errors)
    {
        if (statements is null)
        {
            errors.Add(null, path, "Member must not be null");
            return;
        }
        if (statements.Count == 0) errors.Add("[]", path, "Member must have length greater than or equal to 1");
        if (statements.Count > max)
            errors.Add("[" + string.Join(", ", Enumerable.Repeat(shape, statements.Count)) + "]", path, "Member must have length less than or equal to " + max);
        for (int i = 0; i < statements.Count; i++) statements[i].Validate(errors, path + "." + (i + 1) + ".member.");
    }

    private static List<AttributeValue> ReadParameters(ref Utf8JsonReader reader, ref string? valueError)
    {
        JsonRequest.ExpectArray(ref reader);
        var list = new List<AttributeValue>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null) continue;
            var value = AttributeValueJson.Read(ref reader, ref valueError);
            if (value is not null) list.Add(value);
        }
        return list;
    }

    /// <summary>The member constraints, under <paramref name="path"/> ("" for ExecuteStatement's own members).</summary>
    public void Validate(ValidationErrors errors, string path)
    {
        errors.NotNull(Statement, path + "statement");
        if (Statement is { Length: 0 }) errors.Add(Statement, path + "statement", "Member must have length greater than or equal to 1");
        errors.MaxLength(Statement, path + "statement", MaxStatementLength);
        // Invalid values are left out of the list (their error is ValueError, raised by Parse): a list whose values
        // were all refused was not sent empty, and its values' own errors are the answer.
        if (Parameters is { Count: 0 } && ValueError is null) errors.Add("[]", path + "parameters", "Member must have length greater than or equal to 1");
        ReturnValuesMember.ValidateOnConditionCheckFailure(OnFailure, errors);
    }

    public bool ReturnOldOnFailure => OnFailure == "ALL_OLD";

    /// <summary>Parses the statement with its parameters bound (after the member constraints held).</summary>
    public PartiQLStatement Parse()
    {
        if (ValueError is not null) throw DynamoException.Validation(ValueError);
        return PartiQLParser.Parse(Statement!, Parameters);
    }
}
