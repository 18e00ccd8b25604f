using System.Text.Json;
using Handshake.Lambda.EventSources;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The filter pattern matcher against one DynamoDB stream record as Lambda sends it, operator by operator, with the
/// examples of Lambda's "Filter rule syntax" table and "Using event filtering with a DynamoDB event source": what
/// matches, what does not, and the patterns Lambda refuses.
/// </summary>
public sealed class FilterPatternTests
{
    /// <summary>A MODIFY record with keys, both images, numbers (as DynamoDB strings), a boolean, a null, a set and a list.</summary>
    private const string Record = """
        {
          "eventID": "c4ca4238a0b923820dcc509a6f75849b",
          "eventName": "MODIFY",
          "eventVersion": "1.1",
          "eventSource": "aws:dynamodb",
          "awsRegion": "us-east-1",
          "dynamodb": {
            "ApproximateCreationDateTime": 1678831218.0,
            "Keys": { "CustomerName": { "S": "AnyCompany Industries" } },
            "NewImage": {
              "CustomerName": { "S": "AnyCompany Industries" },
              "AccountManager": { "S": "Pat Candella" },
              "PaymentTerms": { "S": "60 days" },
              "Region": { "S": "us-west-2" },
              "FileName": { "S": "photo.png" },
              "Orders": { "N": "42" },
              "Active": { "BOOL": true },
              "Note": { "NULL": true },
              "Empty": { "S": "" },
              "Tags": { "SS": ["red", "blue"] },
              "Lines": { "L": [ { "S": "first" }, { "N": "2" } ] },
              "NoLines": { "L": [] }
            },
            "OldImage": {
              "CustomerName": { "S": "AnyCompany Industries" },
              "PaymentTerms": { "S": "30 days" }
            },
            "SequenceNumber": "000000000000000000111",
            "SizeBytes": 26,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
          },
          "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/customers/stream/2024-01-01T00:00:00.000",
          "nothing": null,
          "nested": [[], [["deep"]]]
        }
        """;

    [Theory]
    // Equals (a list is Or); the DynamoDB type must be named: {"S": [...]}, never the bare value.
    [InlineData("""{"eventName": ["MODIFY"]}""", true)]
    [InlineData("""{"eventName": ["INSERT"]}""", false)]
    [InlineData("""{"eventName": ["INSERT", "MODIFY"]}""", true)]
    [InlineData("""{"eventName": ["modify"]}""", false)]
    [InlineData("""{"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}}""", true)]
    [InlineData("""{"dynamodb": {"Keys": {"CustomerName": ["AnyCompany Industries"]}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Orders": {"N": ["42"]}}}}""", true)]
    // And: every field named must match.
    [InlineData("""{"eventName": ["MODIFY"], "eventSource": ["aws:dynamodb"]}""", true)]
    [InlineData("""{"eventName": ["MODIFY"], "eventSource": ["aws:kinesis"]}""", false)]
    // A key given twice requires both (inferred, not checked against AWS: event-ruler lets the last override).
    [InlineData("""{"eventName": ["MODIFY"], "eventName": ["INSERT"]}""", false)]
    [InlineData("""{"eventName": ["MODIFY"], "dynamodb": {"OldImage": {"PaymentTerms": {"S": ["60 days"]}}}}""", false)]
    [InlineData("""{"awsRegion": ["us-east-1"], "eventSourceARN": [{"prefix": "arn:aws:dynamodb:us-east-1:"}]}""", true)]
    // Numbers compare by their JSON text (inferred from Lambda's note that 300, 300.0 and 3.0e2 differ; event-ruler
    // also compares numbers as numbers); a string is never a number.
    [InlineData("""{"dynamodb": {"SizeBytes": [26]}}""", true)]
    [InlineData("""{"dynamodb": {"SizeBytes": [26.0]}}""", false)]
    [InlineData("""{"dynamodb": {"SizeBytes": ["26"]}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Orders": {"N": [42]}}}}""", false)]
    // Booleans, null and Empty.
    [InlineData("""{"dynamodb": {"NewImage": {"Active": {"BOOL": [true]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Active": {"BOOL": [false]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Active": {"BOOL": ["true"]}}}}""", false)]
    [InlineData("""{"nothing": [null]}""", true)]
    [InlineData("""{"eventName": [null]}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Empty": {"S": [""]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [""]}}}}""", false)]
    // Equals (ignore case).
    [InlineData("""{"dynamodb": {"NewImage": {"AccountManager": {"S": [{"equals-ignore-case": "pat CANDELLA"}]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"AccountManager": {"S": [{"equals-ignore-case": "pat"}]}}}}""", false)]
    // Begins with, Ends with: case-sensitive, strings only.
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"prefix": "us-"}]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"prefix": "US-"}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"FileName": {"S": [{"suffix": ".png"}]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"FileName": {"S": [{"suffix": ".jpg"}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"prefix": "2"}]}}""", false)]
    // Not (anything-but): values, a list, a prefix, a suffix, ignoring case; an absent field is never "anything but".
    [InlineData("""{"eventName": [{"anything-but": "INSERT"}]}""", true)]
    [InlineData("""{"eventName": [{"anything-but": ["INSERT", "MODIFY"]}]}""", false)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"anything-but": [25, 27]}]}}""", true)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"anything-but": 26}]}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"anything-but": {"prefix": "us-"}}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"anything-but": {"prefix": "eu-"}}]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"FileName": {"S": [{"anything-but": {"suffix": ".png"}}]}}}}""", false)]
    [InlineData("""{"eventName": [{"anything-but": {"equals-ignore-case": ["insert", "modify"]}}]}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Missing": {"S": [{"anything-but": "x"}]}}}}""", false)]
    // A prefix, suffix or equals-ignore-case only ever matches a string, so anything-but of one matches numbers and null
    // (LocalStack's AWS-validated content_anything_prefix_int_value, _prefix_null, _suffix_null, _but_ignorecase_null).
    [InlineData("""{"dynamodb": {"SizeBytes": [{"anything-but": {"prefix": "2"}}]}}""", true)]
    [InlineData("""{"nothing": [{"anything-but": {"prefix": "x"}}]}""", true)]
    [InlineData("""{"nothing": [{"anything-but": {"suffix": "x"}}]}""", true)]
    [InlineData("""{"nothing": [{"anything-but": {"equals-ignore-case": "x"}}]}""", true)]
    // ... and a list of prefixes or suffixes (content_anything_prefix_list, content_anything_suffix_list).
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"anything-but": {"prefix": ["eu-", "us-"]}}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"anything-but": {"prefix": ["eu-", "ap-"]}}]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"FileName": {"S": [{"anything-but": {"suffix": [".jpg", ".png"]}}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"FileName": {"S": [{"anything-but": {"suffix": [".jpg", ".gif"]}}]}}}}""", true)]
    // Numeric: numbers only (DynamoDB's N is a string, so never), = and ranges.
    [InlineData("""{"dynamodb": {"SizeBytes": [{"numeric": ["=", 26]}]}}""", true)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"numeric": ["=", 26.0]}]}}""", true)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"numeric": [">", 10, "<=", 26]}]}}""", true)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"numeric": [">", 10, "<", 26]}]}}""", false)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"numeric": [">=", 26]}]}}""", true)]
    [InlineData("""{"dynamodb": {"SizeBytes": [{"numeric": ["<", 26]}]}}""", false)]
    [InlineData("""{"dynamodb": {"ApproximateCreationDateTime": [{"numeric": [">", 0]}]}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Orders": {"N": [{"numeric": [">", 1]}]}}}}""", false)]
    // AWS's own case: N "42" passes [numeric > 100, anything-but "101"] through anything-but alone.
    [InlineData("""{"dynamodb": {"NewImage": {"Orders": {"N": [{"numeric": [">", 100]}, {"anything-but": "101"}]}}}}""", true)]
    // Exists / Does not exist: leaves only; an absent field, or one under an absent parent, does not exist.
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"exists": true}]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Region": [{"exists": true}]}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Missing": {"S": [{"exists": true}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Missing": [{"exists": false}]}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Region": {"S": [{"exists": false}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"Absent": {"Deeper": [{"exists": false}]}}}""", true)]
    [InlineData("""{"userIdentity": {"type": [{"exists": false}]}}""", true)]
    // Over lists, event-ruler's flattening: a list holding a scalar (here, in a list within it) is a present leaf; a
    // list of objects or an empty one is not; a nested pattern over an empty list sees its fields absent.
    [InlineData("""{"dynamodb": {"NewImage": {"Tags": {"SS": [{"exists": true}]}}}}""", true)]
    [InlineData("""{"nested": [{"exists": true}]}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Lines": {"L": [{"exists": true}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Lines": {"L": [{"exists": false}]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"NoLines": {"L": [{"exists": true}]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"NoLines": {"L": {"S": [{"exists": false}]}}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"NoLines": {"L": {"S": [{"exists": true}]}}}}}""", false)]
    // A field the pattern names but the record lacks fails every other rule.
    [InlineData("""{"userIdentity": {"type": ["Service"]}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Missing": {"S": ["x"]}}}}""", false)]
    // Lists in the record: a rule matches when it matches one element.
    [InlineData("""{"dynamodb": {"NewImage": {"Tags": {"SS": ["blue"]}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Tags": {"SS": ["green"]}}}}""", false)]
    [InlineData("""{"dynamodb": {"NewImage": {"Lines": {"L": {"S": ["first"]}}}}}""", true)]
    [InlineData("""{"dynamodb": {"NewImage": {"Lines": {"L": {"S": ["second"]}}}}}""", false)]
    // Or (multiple fields): $or, alongside the other fields (And). Reserved names are field names outside $or.
    [InlineData("""{"prefix": [{"exists": false}]}""", true)]
    [InlineData("""{"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"Region": {"S": ["us-west-2"]}}}}]}""", true)]
    [InlineData("""{"$or": [{"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]}]}""", false)]
    [InlineData("""{"eventSource": ["aws:dynamodb"], "$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"SizeBytes": [{"numeric": [">", 20]}]}}]}""", true)]
    [InlineData("""{"eventSource": ["aws:kinesis"], "$or": [{"eventName": ["MODIFY"]}, {"eventName": ["INSERT"]}]}""", false)]
    [InlineData("""{"dynamodb": {"$or": [{"Keys": {"CustomerName": {"S": ["nobody"]}}}, {"OldImage": {"PaymentTerms": {"S": ["30 days"]}}}]}}""", true)]
    public void A_pattern_matches_the_record_as_Lambdas_documentation_says(string pattern, bool matches)
    {
        FilterPattern compiled = FilterPatternParser.Parse(pattern) ?? throw new Xunit.Sdk.XunitException($"refused: {pattern}");
        using JsonDocument record = JsonDocument.Parse(Record);
        Assert.Equal(matches, compiled.Matches(record.RootElement));
    }

    [Theory]
    [InlineData("single-string")]
    [InlineData("""[{"eventName": ["INSERT"=123}]""")]
    [InlineData("""["INSERT"]""")]
    [InlineData("""{"eventName": "INSERT"}""")]
    [InlineData("""{"eventName": []}""")]
    [InlineData("""{"eventName": [["INSERT"]]}""")]
    [InlineData("""{"dynamodb": {}}""")]
    // wildcard and cidr: EventBridge's, not in Lambda's table (inferred, not checked against AWS).
    [InlineData("""{"eventName": [{"wildcard": "IN*"}]}""")]
    [InlineData("""{"eventName": [{"cidr": "10.0.0.0/8"}]}""")]
    [InlineData("""{"eventName": [{"unknown": "x"}]}""")]
    [InlineData("""{"eventName": [{"prefix": "IN", "suffix": "RT"}]}""")]
    [InlineData("""{"eventName": [{"prefix": 5}]}""")]
    [InlineData("""{"eventName": [{"exists": "true"}]}""")]
    [InlineData("""{"eventName": [{"anything-but": []}]}""")]
    [InlineData("""{"eventName": [{"anything-but": {"wildcard": "x"}}]}""")]
    [InlineData("""{"eventName": [{"anything-but": true}]}""")]
    [InlineData("""{"size": [{"numeric": [">"]}]}""")]
    [InlineData("""{"size": [{"numeric": ["!=", 5]}]}""")]
    [InlineData("""{"size": [{"numeric": [">", "5"]}]}""")]
    [InlineData("""{"size": [{"numeric": [">", 5, ">", 6]}]}""")]
    [InlineData("""{"size": [{"numeric": ["=", 5, "<", 6]}]}""")]
    [InlineData("""{"size": [{"numeric": [">", 10, "<", 5]}]}""")]
    [InlineData("""{"$or": []}""")]
    [InlineData("""{"$or": [{}]}""")]
    [InlineData("""{"$or": {"eventName": ["INSERT"]}}""")]
    // Event-ruler's JsonRuleCompiler: "Empty objects are not allowed", at the root as anywhere.
    [InlineData("""{}""")]
    // "There must have at least 2 Objects in $or relationship."
    [InlineData("""{"$or": [{"eventName": ["INSERT"]}]}""")]
    [InlineData("""{"dynamodb": {"$or": [{"SizeBytes": [26]}]}}""")]
    // Ruler's reserved names (its operators, and some kept for later) are not field names inside $or, at any depth.
    [InlineData("""{"$or": [{"numeric": ["x"]}, {"eventName": ["INSERT"]}]}""")]
    [InlineData("""{"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"prefix": ["x"]}}]}""")]
    [InlineData("""{"$or": [{"exists": ["x"]}, {"eventName": ["INSERT"]}]}""")]
    [InlineData("""{"$or": [{"<=": ["x"]}, {"eventName": ["INSERT"]}]}""")]
    // anything-but: no empty prefix or suffix ("Null prefix/suffix not allowed"), no list of strings and numbers mixed.
    [InlineData("""{"eventName": [{"anything-but": {"prefix": ""}}]}""")]
    [InlineData("""{"eventName": [{"anything-but": {"suffix": ""}}]}""")]
    [InlineData("""{"eventName": [{"anything-but": {"prefix": ["IN", ""]}}]}""")]
    [InlineData("""{"eventName": [{"anything-but": ["INSERT", 1]}]}""")]
    [InlineData("""{"eventName": [{"anything-but": {"prefix": ["IN", 1]}}]}""")]
    // numeric: a lower bound first, then an upper one, strictly above it.
    [InlineData("""{"size": [{"numeric": ["<", 20, ">", 10]}]}""")]
    [InlineData("""{"size": [{"numeric": [">=", 5, "<=", 5]}]}""")]
    [InlineData("""{"size": [{"numeric": [">", 5, "<", 5]}]}""")]
    public void Lambda_refuses_a_pattern_it_cannot_use(string pattern) => Assert.Null(FilterPatternParser.Parse(pattern));

    [Fact]
    public void A_record_passes_criteria_when_it_matches_any_filter_and_criteria_without_filters_pass_everything()
    {
        using JsonDocument record = JsonDocument.Parse(Record);
        FilterCriteria any = new(["{\"eventName\": [\"INSERT\"]}", "{\"eventName\": [\"MODIFY\"]}"],
            [FilterPatternParser.Parse("{\"eventName\": [\"INSERT\"]}")!, FilterPatternParser.Parse("{\"eventName\": [\"MODIFY\"]}")!]);
        FilterCriteria none = new(["{\"eventName\": [\"INSERT\"]}", "{\"eventName\": [\"REMOVE\"]}"],
            [FilterPatternParser.Parse("{\"eventName\": [\"INSERT\"]}")!, FilterPatternParser.Parse("{\"eventName\": [\"REMOVE\"]}")!]);
        FilterCriteria cleared = new(null, []);
        Assert.True(any.Matches(record.RootElement));
        Assert.False(none.Matches(record.RootElement));
        Assert.True(cleared.IsEmpty);
        Assert.True(cleared.Matches(record.RootElement));
    }
}
