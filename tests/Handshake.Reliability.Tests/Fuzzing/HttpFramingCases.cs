using System.Globalization;
using System.Text;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// What one valid request must be answered with: a status, and the exact body (null: any body, but still a 2xx of this
/// status). Used as the fuzz's desync oracle: every 2xx the server sends must be the answer of a request the case sent.
/// </summary>
internal sealed record ExpectedAnswer(int Status, byte[]? Body, string? ErrorType = null, ExpectedAnswer? Alternative = null)
{
    public bool Matches(RawResponse response) =>
        (response.Status == Status
            && (Body is null || response.Body.AsSpan().SequenceEqual(Body))
            && (ErrorType is null || response.Header("x-amzn-ErrorType") == ErrorType))
        || Alternative?.Matches(response) == true;

    public override string ToString() => $"{Status} {(Body is null ? "(any body)" : HttpFramingCases.Printable(Body, 120))}{(ErrorType is null ? "" : " " + ErrorType)}";
}

/// <summary>One valid request of the fuzz, before any mutation: its parts, so that a mutation can change one.</summary>
internal sealed record BaseRequest(string Name, string Method, string Target, List<(string Name, string Value)> Headers, byte[] Body, ExpectedAnswer Answer)
{
    /// <summary>The request as a client sends it: Content-Length framing, CRLF line ends.</summary>
    public byte[] Serialize() => HttpFramingCases.Head(Method, Target, "HTTP/1.1", Headers, ("Content-Length", Body.Length.ToString(CultureInfo.InvariantCulture)))
        .Concat(Body).ToArray();
}

/// <summary>How a case is sent: the mutated request alone, or pipelined with a valid one, and whether it half-closes.</summary>
internal enum CaseMode
{
    /// <summary>The mutated request, then a half-close: whatever the server answers, it must close within the bound.</summary>
    Alone,

    /// <summary>
    /// The mutated request, a valid one behind it, then a half-close. When the mutation left the framing intact, the
    /// half-close waits for both answers (or the server's Connection: close): the connection must stay usable.
    /// </summary>
    InvalidThenValid,

    /// <summary>A valid request, the mutated one behind it, then (once it is answered) a half-close: the first answer must be the valid one's.</summary>
    ValidThenInvalid,

}

/// <summary>One fuzz case: the bytes, how they are written, and what the requests in them may be answered with.</summary>
internal sealed class FramingCase
{
    public required int Seed { get; init; }
    public required int Index { get; init; }
    public required CaseMode Mode { get; init; }
    public required string Mutation { get; init; }
    public required byte[] Bytes { get; init; }

    /// <summary>Where the writes split <see cref="Bytes"/> (ascending offsets); empty: one write.</summary>
    public required int[] Splits { get; init; }

    /// <summary>Milliseconds between the split writes (0: none, only a yield).</summary>
    public required int SplitDelay { get; init; }

    /// <summary>The mutated request's own answer, were the mutation harmless (a 2xx must be this or the valid one's).</summary>
    public required ExpectedAnswer MutatedAnswer { get; init; }

    /// <summary>The pipelined valid request's answer (null in <see cref="CaseMode.Alone"/>).</summary>
    public ExpectedAnswer? ValidAnswer { get; init; }

    /// <summary>The mutation changed only headers that do not frame the message: the request still ends where it did.</summary>
    public required bool FramingIntact { get; init; }

    /// <summary>The mutation changed the method or target: some other 2xx (a health check, a GET of a function) may answer it.</summary>
    public required bool OtherRoute { get; init; }

    /// <summary>HTTP/1.1 has the mutated request refused with a 400 (RFC 9112): no 2xx may answer it.</summary>
    public bool MustRefuse { get; init; }

    /// <summary>The mutated request is a HEAD (sent alone): its answer has no body.</summary>
    public bool HeadFirst { get; init; }

    public string Describe() => $"seed {Seed} case {Index} ({Mode}, {Mutation}, {Bytes.Length} bytes in {Splits.Length + 1} writes)";
}

/// <summary>
/// Generates the framing fuzz's cases from a seed: each case is derived from its own <see cref="Random"/>, seeded by the
/// run's seed and the case's index, so any one case can be generated again alone (HTTPFUZZ_REPLAY=seed:index).
/// Mutations: truncation (then a half-close), byte flips and insertions in the request line and header block (NUL, CR
/// or LF alone, high bytes, spaces, tabs, colons), spaces in a header name, obs-fold, duplicate and conflicting
/// Content-Length, odd Content-Length values, chunked bodies (valid, bad sizes, overflow, missing CRLF, extensions,
/// trailers, with Content-Length too), other versions and methods, absolute-form, asterisk and very long targets, long
/// header blocks and many headers, Expect, Connection and Host variants, and bare LF line ends.
/// </summary>
internal sealed class HttpFramingCases(IReadOnlyList<BaseRequest> bases, IReadOnlyList<BaseRequest> valid, string authority)
{
    private static readonly byte[] FlipBytes = [0x00, (byte)'\r', (byte)'\n', 0x80, 0xC3, 0xFF, 0x7F, (byte)' ', (byte)'\t', (byte)':', 0x01, (byte)'"', (byte)';'];

    public FramingCase Generate(int seed, int index)
    {
        Random random = new(unchecked((seed * 1_000_003) + index));
        BaseRequest request = bases[random.Next(bases.Count)];
        if (random.Next(16) == 0)
        {
            // Whitespace after the JSON (the same request) to a body around the event loop's 64 KB limit for a plain
            // request: one over it is handed to Kestrel with the bytes the loop has already read.
            int size = 64 * 1024 - 3 + random.Next(7);
            request = request with { Name = request.Name + $" padded to {size}", Body = [.. request.Body, .. Enumerable.Repeat((byte)' ', Math.Max(0, size - request.Body.Length))] };
        }

        Mutated mutated = Mutate(random, request);
        if (random.Next(5) == 0 && !mutated.AloneOnly)
        {
            // A second mutation on top: a byte of the (mutated) head changed.
            byte[] twice = [.. mutated.Bytes];
            int headEnd = twice.AsSpan().IndexOf("\r\n\r\n"u8);
            int at = random.Next(headEnd > 0 ? headEnd : twice.Length);
            byte value = random.Next(3) == 0 ? (byte)random.Next(256) : FlipBytes[random.Next(FlipBytes.Length)];
            twice[at] = value;
            mutated = mutated with { Description = mutated.Description + $", then byte {at} -> 0x{value:X2}", Bytes = twice, FramingIntact = false, MustRefuse = false };
        }
        CaseMode mode = random.Next(20) switch
        {
            < 9 => CaseMode.Alone,
            < 14 => CaseMode.InvalidThenValid,
            _ => CaseMode.ValidThenInvalid,
        };
        if (mutated.AloneOnly)
        {
            mode = CaseMode.Alone;
        }

        BaseRequest? other = mode == CaseMode.Alone ? null : valid[random.Next(valid.Count)];
        byte[] bytes = mode switch
        {
            CaseMode.Alone => mutated.Bytes,
            CaseMode.ValidThenInvalid => [.. other!.Serialize(), .. mutated.Bytes],
            _ => [.. mutated.Bytes, .. other!.Serialize()],
        };

        int[] splits = [];
        int delay = 0;
        if (random.Next(4) == 0)
        {
            // The request in random small writes: at most 40 of them, with a millisecond between them in a few cases.
            int pieces = Math.Min(40, 2 + random.Next(Math.Max(1, bytes.Length / 8)));
            splits = Enumerable.Range(0, pieces - 1).Select(_ => 1 + random.Next(Math.Max(1, bytes.Length - 1))).Distinct().Order().ToArray();
            delay = random.Next(8) == 0 ? 1 : 0;
        }

        return new FramingCase
        {
            Seed = seed,
            Index = index,
            Mode = mode,
            Mutation = request.Name + ": " + mutated.Description,
            Bytes = bytes,
            Splits = splits,
            SplitDelay = delay,
            MutatedAnswer = request.Answer,
            ValidAnswer = other?.Answer,
            FramingIntact = mutated.FramingIntact,
            OtherRoute = mutated.OtherRoute,
            HeadFirst = mutated.Description == "method 'HEAD'",
            MustRefuse = mutated.MustRefuse,
        };
    }

    private sealed record Mutated(string Description, byte[] Bytes, bool FramingIntact = false, bool OtherRoute = false, bool AloneOnly = false, bool MustRefuse = false);

    private string Length(BaseRequest request) => request.Body.Length.ToString(CultureInfo.InvariantCulture);

    private Mutated Mutate(Random random, BaseRequest request)
    {
        List<(string Name, string Value)> headers = [.. request.Headers];
        string cl = Length(request);
        byte[] body = request.Body;
        switch (random.Next(20))
        {
            case 0:
            {
                byte[] whole = request.Serialize();
                int at = random.Next(whole.Length);
                return new("truncated at " + at + " of " + whole.Length, whole[..at], AloneOnly: true);
            }

            case 1:
            case 2:
            {
                // A byte of the request line or header block replaced.
                byte[] whole = request.Serialize();
                int headLength = whole.Length - body.Length - 4;
                int at = random.Next(headLength);
                byte value = random.Next(3) == 0 ? (byte)random.Next(256) : FlipBytes[random.Next(FlipBytes.Length)];
                byte old = whole[at];
                whole[at] = value;
                return new($"byte {at} 0x{old:X2} -> 0x{value:X2}", whole);
            }

            case 3:
            case 4:
            {
                // Bytes inserted in the request line or header block.
                byte[] whole = request.Serialize();
                int headLength = whole.Length - body.Length - 4;
                int at = random.Next(headLength + 1);
                byte[] inserted = Enumerable.Range(0, 1 + random.Next(3))
                    .Select(_ => random.Next(3) == 0 ? (byte)random.Next(256) : FlipBytes[random.Next(FlipBytes.Length)]).ToArray();
                return new($"inserted {Printable(inserted, 20)} at {at}", [.. whole[..at], .. inserted, .. whole[at..]]);
            }

            case 5:
            {
                // A header name with a space (inside it, or before its colon), or a tab.
                int which = random.Next(headers.Count);
                (string name, string value) = headers[which];
                string changed = random.Next(3) switch
                {
                    0 => name.Insert(1 + random.Next(name.Length - 1), " "),
                    1 => name + " ",
                    _ => name + "\t",
                };
                headers[which] = (changed, value);
                // RFC 9112 (5.1): whitespace before the colon is a 400; a name that is not a token is no header at all.
                return new($"header name '{Escape(changed)}'", Build(request, headers, cl, body), MustRefuse: true);
            }

            case 6:
            {
                // obs-fold: a header value continued on the next line, on an added header or on a real one.
                int which = random.Next(headers.Count);
                string fold = random.Next(2) == 0 ? "\r\n " : "\r\n\t";
                if (random.Next(2) == 0)
                {
                    headers.Insert(which, ("X-Folded", "first" + fold + "second"));
                    return new("obs-fold on an added header", Build(request, headers, cl, body));
                }

                (string name, string value) = headers[which];
                int cut = random.Next(value.Length + 1);
                headers[which] = (name, value[..cut] + fold + value[cut..]);
                return new("obs-fold in " + name, Build(request, headers, cl, body));
            }

            case 7:
            {
                // Content-Length twice: the same value, conflicting values, or a list.
                string other = (body.Length + 1 + random.Next(20)).ToString(CultureInfo.InvariantCulture);
                (string Description, string[] Values) variant = random.Next(5) switch
                {
                    0 => ("same twice", [cl, cl]),
                    1 => ("larger second", [cl, other]),
                    2 => ("larger first", [other, cl]),
                    3 => ("list", [cl + ", " + cl]),
                    _ => ("zero and real", ["0", cl]),
                };
                byte[] bytes = Head(request.Method, request.Target, "HTTP/1.1", headers, variant.Values.Select(v => ("Content-Length", v)).ToArray()).Concat(body).ToArray();
                return new("Content-Length " + variant.Description, bytes);
            }

            case 8:
            case 9:
            {
                string value = random.Next(19) switch
                {
                    0 => "-" + cl,
                    1 => "-1",
                    2 => "99999999999999999999",
                    3 => "9223372036854775808",
                    4 => "18446744073709551616",
                    5 => "16777217",
                    6 => "65537",
                    7 => "abc",
                    8 => "0x" + body.Length.ToString("x", CultureInfo.InvariantCulture),
                    9 => "+" + cl,
                    10 => " " + cl,
                    11 => cl + " ",
                    12 => "\t" + cl,
                    13 => "",
                    14 => "00" + cl,
                    15 => cl + "a",
                    16 => (body.Length - 1 - random.Next(Math.Max(1, body.Length - 1))).ToString(CultureInfo.InvariantCulture),
                    17 => (body.Length + 1 + random.Next(40)).ToString(CultureInfo.InvariantCulture),
                    _ => "1e2",
                };
                // Leading and trailing whitespace is the field's optional whitespace; leading zeros are digits: all valid.
                bool valid = value.Trim(' ', '\t') == cl || value == "00" + cl;
                return new($"Content-Length '{value}'", Build(request, headers, value, body), FramingIntact: valid);
            }

            case 10:
            case 11:
            case 12:
                return Chunked(random, request, headers, body);

            case 13:
            {
                string version = new[] { "HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "http/1.1", "HTTP/1.1 ", "HTTP/11", "", "HTTP/2", "HTTP/1.10", "HTTP/3.0" }[random.Next(11)];
                string line = version.Length == 0 ? request.Method + " " + request.Target : request.Method + " " + request.Target + " " + version;
                byte[] bytes = Head(line, headers, ("Content-Length", cl)).Concat(body).ToArray();
                return new($"version '{version}'", bytes);
            }

            case 14:
            {
                string method = new[] { "GET", "PUT", "DELETE", "PATCH", "FOO", "post", "P0ST", "CONNECT", "OPTIONS", "HEAD", "TRACE", "POST POST", "PRI" }[random.Next(13)];
                return new($"method '{method}'", Head(method, request.Target, "HTTP/1.1", headers, ("Content-Length", cl)).Concat(body).ToArray(), OtherRoute: true,
                    AloneOnly: method == "HEAD");
            }

            case 15:
            {
                (string Description, string Target) target = random.Next(8) switch
                {
                    0 => ("absolute-form", "http://" + authority + request.Target),
                    1 => ("absolute-form, other host", "http://example.com" + request.Target),
                    2 => ("asterisk", "*"),
                    3 => ("long target", request.Target + (request.Target.Contains('?') ? "&" : "?") + "x=" + new string('a', 4000 + random.Next(12000))),
                    4 => ("very long target", "/" + new string('p', 70_000)),
                    5 => ("query", request.Target + "?Qualifier=%24LATEST"),
                    6 => ("empty", ""),
                    _ => ("percent", request.Target.Replace("/", "/%2e", StringComparison.Ordinal)),
                };
                return new(target.Description, Head(request.Method, target.Target, "HTTP/1.1", headers, ("Content-Length", cl)).Concat(body).ToArray(),
                    FramingIntact: target.Description.StartsWith("absolute-form", StringComparison.Ordinal), OtherRoute: true);
            }

            case 16:
            {
                // A long header block: one long header, many headers, or both past Kestrel's limits.
                int variant = random.Next(4);
                if (variant == 0)
                {
                    headers.Add(("X-Long", new string('v', 1000 + random.Next(40_000))));
                }
                else if (variant == 1)
                {
                    for (int i = 0, count = 20 + random.Next(200); i < count; i++)
                    {
                        headers.Add(("X-Many-" + i.ToString(CultureInfo.InvariantCulture), "value"));
                    }
                }
                else if (variant == 2)
                {
                    headers.Add(("X-" + new string('n', 1000 + random.Next(20_000)), "v"));
                }
                else
                {
                    headers.Add(("X-Long", new string('v', 15_000 + random.Next(3_000))));
                }

                int total = headers.Sum(h => h.Name.Length + h.Value.Length + 4);
                // Kestrel's limits: 32 KB of headers, 100 of them; within them the request still ends where it did.
                bool intact = total < 30 * 1024 && headers.Count < 90;
                return new($"long header block ({variant}, {total} bytes, {headers.Count} headers)", Build(request, headers, cl, body), FramingIntact: intact);
            }

            case 17:
            {
                (string Name, string Value) header = random.Next(9) switch
                {
                    0 => ("Expect", "100-continue"),
                    1 => ("Expect", "100-continue"),
                    2 => ("Expect", "fancy"),
                    3 => ("Connection", "close"),
                    4 => ("Connection", "Upgrade"),
                    5 => ("Upgrade", "h2c"),
                    6 => ("Connection", "keep-alive, TE"),
                    7 => ("TE", "trailers"),
                    _ => ("Connection", "keep-alive"),
                };
                headers.Insert(random.Next(headers.Count + 1), header);
                bool intact = header is ("Expect", "100-continue") or ("TE", "trailers") or ("Connection", "keep-alive") or ("Connection", "keep-alive, TE");
                return new($"{header.Name}: {header.Value}", Build(request, headers, cl, body), FramingIntact: intact);
            }

            case 18:
            {
                int host = headers.FindIndex(h => h.Name == "Host");
                string description;
                switch (random.Next(4))
                {
                    case 0:
                        headers.RemoveAt(host);
                        description = "no Host";
                        break;
                    case 1:
                        headers.Add(("Host", "other.example"));
                        description = "two Hosts";
                        break;
                    case 2:
                        headers[host] = ("Host", "");
                        description = "empty Host";
                        break;
                    default:
                        headers[host] = ("Host", "a b");
                        description = "Host with a space";
                        break;
                }

                // RFC 9112 (3.2): no Host, two, or one that is not a host is a 400; an empty one is valid.
                return new(description, Build(request, headers, cl, body), MustRefuse: description != "empty Host");
            }

            default:
            {
                // Line ends: bare LF throughout, a bare LF on one line, or a header line without a colon or name.
                byte[] whole = request.Serialize();
                int headLength = whole.Length - body.Length;
                string head = Encoding.ASCII.GetString(whole, 0, headLength);
                switch (random.Next(4))
                {
                    case 0:
                        return new("bare LF line ends", [.. Encoding.ASCII.GetBytes(head.Replace("\r\n", "\n", StringComparison.Ordinal)), .. body]);
                    case 1:
                    {
                        int at = head.IndexOf("\r\n", random.Next(head.Length - 4), StringComparison.Ordinal);
                        return new("one bare LF", [.. Encoding.ASCII.GetBytes(head.Remove(at, 1)), .. body]);
                    }

                    case 2:
                        headers.Insert(random.Next(headers.Count + 1), ("X-No-Colon-Here", ""));
                        return new("header line without a colon", [.. Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(Build(request, headers, cl, body)).Replace("X-No-Colon-Here: \r\n", "X-No-Colon-Here\r\n", StringComparison.Ordinal))]);
                    default:
                        headers.Insert(random.Next(headers.Count + 1), ("", "nameless"));
                        return new("header without a name", Build(request, headers, cl, body));
                }
            }
        }
    }

    private static Mutated Chunked(Random random, BaseRequest request, List<(string Name, string Value)> headers, byte[] body)
    {
        // The body in 1 to 5 chunks.
        List<byte[]> chunks = [];
        for (int at = 0; at < body.Length;)
        {
            int size = Math.Min(body.Length - at, 1 + random.Next(Math.Max(1, body.Length / 2)));
            chunks.Add(body[at..(at + size)]);
            at += size;
        }

        int variant = random.Next(14);
        int target = random.Next(chunks.Count);
        StringBuilder description = new("chunked");
        using MemoryStream encoded = new();
        for (int i = 0; i < chunks.Count; i++)
        {
            string size = chunks[i].Length.ToString(i % 2 == 0 ? "x" : "X", CultureInfo.InvariantCulture);
            bool here = i == target;
            string line = here ? variant switch
            {
                1 => "zz",
                2 => "-" + size,
                3 => " " + size,
                4 => size + " ",
                5 => "ffffffffffffffffff" + size,
                6 => "0x" + size,
                7 => size + ";ext=1;quoted=\"a;b\"",
                8 => size + ";",
                9 => "000" + size,
                _ => size,
            } : size;
            encoded.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
            encoded.Write(chunks[i]);
            encoded.Write(here && variant == 10 ? ""u8 : here && variant == 11 ? "\n"u8 : "\r\n"u8);
        }

        string last = variant == 12 ? "0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n" : variant == 13 ? "0;done\r\n\r\n" : "0\r\n\r\n";
        encoded.Write(Encoding.ASCII.GetBytes(last));
        description.Append(variant switch
        {
            0 => " (valid)",
            1 => ", size 'zz'",
            2 => ", negative size",
            3 => ", size after a space",
            4 => ", size before a space",
            5 => ", size overflow",
            6 => ", size '0x..'",
            7 => ", chunk extensions",
            8 => ", empty chunk extension",
            9 => ", size with leading zeros",
            10 => ", chunk without its CRLF",
            11 => ", chunk ended by a bare LF",
            12 => ", trailers",
            _ => ", extension on the last chunk",
        });

        // The coding header: plain, in other case, listed with another coding, or beside a Content-Length.
        List<(string Name, string Value)> framing = [("Transfer-Encoding", "chunked")];
        int header = random.Next(8);
        switch (header)
        {
            case 1:
                framing = [("Transfer-Encoding", "Chunked")];
                break;
            case 2:
                framing = [("Transfer-Encoding", "chunked"), ("Content-Length", body.Length.ToString(CultureInfo.InvariantCulture))];
                description.Append(", with Content-Length");
                break;
            case 3:
                framing = [("Content-Length", "3"), ("Transfer-Encoding", "chunked")];
                description.Append(", after Content-Length 3");
                break;
            case 4:
                framing = [("Transfer-Encoding", "gzip, chunked")];
                description.Append(", gzip first");
                break;
            case 5:
                framing = [("Transfer-Encoding", "chunked, identity")];
                description.Append(", chunked not last");
                break;
            case 6:
                framing = [("Transfer-Encoding", "identity")];
                description.Append(", as identity");
                break;
        }

        bool valid = variant is 0 or 7 or 8 or 9 or 12 or 13 && header is 0 or 1 or 7;
        byte[] bytes = Head(request.Method, request.Target, "HTTP/1.1", headers, [.. framing]).Concat(encoded.ToArray()).ToArray();
        return new(description.ToString(), bytes, FramingIntact: valid);
    }

    private static byte[] Build(BaseRequest request, List<(string Name, string Value)> headers, string contentLength, byte[] body) =>
        Head(request.Method, request.Target, "HTTP/1.1", headers, ("Content-Length", contentLength)).Concat(body).ToArray();

    public static byte[] Head(string method, string target, string version, IEnumerable<(string Name, string Value)> headers, params (string Name, string Value)[] framing) =>
        Head(method + " " + target + " " + version, headers, framing);

    private static byte[] Head(string requestLine, IEnumerable<(string Name, string Value)> headers, params (string Name, string Value)[] framing)
    {
        StringBuilder text = new(requestLine);
        text.Append("\r\n");
        foreach ((string name, string value) in headers.Concat(framing))
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        text.Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    private static string Escape(string text) => Printable(Encoding.Latin1.GetBytes(text), 80);

    /// <summary>Bytes as text for a failure message: printable ASCII as is, the rest as \xNN, cut at <paramref name="max"/>.</summary>
    public static string Printable(ReadOnlySpan<byte> bytes, int max)
    {
        StringBuilder text = new();
        foreach (byte b in bytes[..Math.Min(bytes.Length, max)])
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => "\\x" + b.ToString("X2", CultureInfo.InvariantCulture),
            });
        }

        return bytes.Length > max ? text + $"...({bytes.Length} bytes)" : text.ToString();
    }
}
