using System.Text.Json;

namespace Handshake.Network.Accounting;

/// <summary>The ledger summarised by function and environment, as served at <c>/_handshake/connections</c>.</summary>
public sealed record ConnectionReport(
    DateTimeOffset TakenAt,
    ConnectionTotals Totals,
    IReadOnlyList<FunctionConnections> Functions,
    IReadOnlyList<ClientConnections> Clients,
    ConnectionTotals Unsigned,
    IReadOnlyList<ConnectionRecord> Open,
    IReadOnlyList<ConnectionRecord> RecentlyClosed)
{
    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("takenAt", TakenAt);
        WriteTotals(writer, "totals", Totals);
        writer.WriteStartArray("functions");
        foreach (FunctionConnections function in Functions)
        {
            writer.WriteStartObject();
            writer.WriteString("functionName", function.FunctionName);
            WriteTotals(writer, "totals", function.Totals);
            writer.WriteStartArray("environments");
            foreach (EnvironmentConnections environment in function.Environments)
            {
                writer.WriteStartObject();
                writer.WriteString("environmentId", environment.EnvironmentId);
                writer.WriteString("accessKeyId", environment.AccessKeyId);
                WriteTotals(writer, "totals", environment.Totals);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("clients");
        foreach (ClientConnections client in Clients)
        {
            writer.WriteStartObject();
            writer.WriteString("accessKeyId", client.AccessKeyId);
            WriteTotals(writer, "totals", client.Totals);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteTotals(writer, "unsigned", Unsigned);
        WriteConnections(writer, "open", Open);
        WriteConnections(writer, "recentlyClosed", RecentlyClosed);
        writer.WriteEndObject();
    }

    private static void WriteTotals(Utf8JsonWriter writer, string name, in ConnectionTotals totals)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("opened", totals.Opened);
        writer.WriteNumber("active", totals.Active);
        writer.WriteNumber("closed", totals.Closed);
        writer.WriteNumber("tls", totals.Tls);
        writer.WriteNumber("requests", totals.Requests);
        writer.WriteNumber("bytesIn", totals.BytesIn);
        writer.WriteNumber("bytesOut", totals.BytesOut);
        WriteTime(writer, "firstOpenedAt", totals.FirstOpenedAt);
        WriteTime(writer, "lastOpenedAt", totals.LastOpenedAt);
        writer.WriteEndObject();
    }

    private static void WriteConnections(Utf8JsonWriter writer, string name, IReadOnlyList<ConnectionRecord> records)
    {
        writer.WriteStartArray(name);
        foreach (ConnectionRecord record in records)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", record.Id);
            writer.WriteString("connectionId", record.ConnectionId);
            writer.WriteString("remoteEndPoint", record.RemoteEndPoint);
            writer.WriteBoolean("tls", record.IsTls);
            writer.WriteString("openedAt", record.OpenedAt);
            WriteTime(writer, "closedAt", record.ClosedAt);
            writer.WriteNumber("requests", record.Requests);
            writer.WriteNumber("bytesIn", record.BytesIn);
            writer.WriteNumber("bytesOut", record.BytesOut);
            WriteNullable(writer, "accessKeyId", record.AccessKeyId);
            WriteNullable(writer, "functionName", record.FunctionName);
            WriteNullable(writer, "environmentId", record.EnvironmentId);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteString(name, time);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}

public sealed class FunctionConnections(string functionName)
{
    public string FunctionName { get; } = functionName;

    private ConnectionTotals _totals;

    public ConnectionTotals Totals => _totals;

    public List<EnvironmentConnections> Environments { get; } = [];

    internal void AddTotals(in ConnectionTotals totals) => _totals.Add(totals);
}

public sealed record EnvironmentConnections(string EnvironmentId, string AccessKeyId, ConnectionTotals Totals);

public sealed record ClientConnections(string AccessKeyId, ConnectionTotals Totals);
