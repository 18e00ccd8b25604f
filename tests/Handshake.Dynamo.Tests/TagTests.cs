using System.Net;
using System.Text.Json;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// The tag operations' refusals, in AWS's words as the ack-api-quirks project captured them from AWS (DDB-TABLE-073,
/// -105 to -110, -372, -442): all ValidationException, all-or-nothing, the 50-tag limit counted after the merge.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class TagTests(ServerFixture fixture)
{
    private const string Validation = "com.amazon.coral.validate#ValidationException";
    private const string TooMany = "Number of Tags exceed the current limit for the provided ResourceArn";

    private static string Arn(string table) => "arn:aws:dynamodb:us-east-1:000000000000:table/" + table;

    private static string Tags(int from, int to, string value = "v") =>
        "[" + string.Join(",", Enumerable.Range(from, to - from).Select(i => $$"""{"Key":"k{{i}}","Value":"{{value}}"}""")) + "]";

    private async Task<List<(string Key, string Value)>> ListAsync(string table, string extra = "")
    {
        var response = await fixture.PostAsync("ListTagsOfResource", $$"""{"ResourceArn":"{{Arn(table)}}"{{extra}}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("Tags").EnumerateArray()
            .Select(t => (t.GetProperty("Key").GetString()!, t.GetProperty("Value").GetString()!)).ToList();
    }

    [Fact]
    public async Task CreateTableWithMoreThanFiftyTagsIsRefusedAndCreatesNothing()
    {
        var name = fixture.NewTableName();
        var (status, type, message) = await fixture.ErrorAsync("CreateTable",
            $$"""{"TableName":"{{name}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","Tags":{{Tags(0, 51)}}}""");
        Assert.Equal((HttpStatusCode.BadRequest, Validation, TooMany), (status, type, message));
        var (_, missing, _) = await fixture.ErrorAsync("DescribeTable", $$"""{"TableName":"{{name}}"}""");
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", missing);

        // Fifty is the limit, not over it; an empty list is accepted by CreateTable (TagResource refuses one).
        var fifty = fixture.NewTableName();
        var ok = await fixture.PostAsync("CreateTable",
            $$"""{"TableName":"{{fifty}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","Tags":{{Tags(0, 50)}}}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(50, (await ListAsync(fifty)).Count);
        var none = await fixture.PostAsync("CreateTable",
            $$"""{"TableName":"{{fixture.NewTableName()}}","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST","Tags":[]}""");
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
    }

    [Fact]
    public async Task TagResourceCountsTheLimitAfterTheMergeAsAValidationError()
    {
        var table = await fixture.CreateHashTableAsync();
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("TagResource", $$"""{"ResourceArn":"{{Arn(table)}}","Tags":{{Tags(0, 50)}}}""")).StatusCode);

        // A 51st key, alone or beside a re-tagged one, is refused and changes nothing.
        foreach (var tags in new[] { Tags(50, 51), """[{"Key":"k0","Value":"new"},{"Key":"k50","Value":"v"}]""" })
        {
            var (status, type, message) = await fixture.ErrorAsync("TagResource", $$"""{"ResourceArn":"{{Arn(table)}}","Tags":{{tags}}}""");
            Assert.Equal((HttpStatusCode.BadRequest, Validation, TooMany), (status, type, message));
        }
        var listed = await ListAsync(table);
        Assert.Equal(50, listed.Count);
        Assert.DoesNotContain(("k0", "new"), listed);

        // New values for all fifty keys stay at fifty.
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("TagResource", $$"""{"ResourceArn":"{{Arn(table)}}","Tags":{{Tags(0, 50, "w")}}}""")).StatusCode);
        var rewritten = await ListAsync(table);
        Assert.Equal(50, rewritten.Count);
        Assert.All(rewritten, t => Assert.Equal("w", t.Value));
    }

    [Theory]
    [InlineData("""[{"Key":"ok","Value":"1"},{"Key":"x","Value":"100%"}]""", "The Tag Value provided is invalid, Value: 100%")]
    [InlineData("""[{"Key":"ok","Value":"1"},{"Key":"AWS:foo","Value":"v"}]""", "Tag Key cannot be prefixed with aws:, Key: AWS:foo")]
    [InlineData("""[{"Key":"\ud83d\udd11","Value":"v"}]""", "The Tag Key provided is invalid, Key: \ud83d\udd11")]
    [InlineData("""[{"Key":"a,b","Value":"v"}]""", "The Tag Key provided is invalid, Key: a,b")]
    public async Task TagResourceRefusesABadTagWithAwsTextAndAppliesNoneOfTheRequest(string tags, string message)
    {
        var table = await fixture.CreateHashTableAsync();
        var (status, type, text) = await fixture.ErrorAsync("TagResource", $$"""{"ResourceArn":"{{Arn(table)}}","Tags":{{tags}}}""");
        Assert.Equal((HttpStatusCode.BadRequest, Validation, message), (status, type, text));
        Assert.Empty(await ListAsync(table));
    }

    [Fact]
    public async Task TagResourceAcceptsTheWholeTagAlphabetAndTheLengthsInCharacters()
    {
        var table = await fixture.CreateHashTableAsync();
        // Letters of any script, spaces, digits and + - = . _ : / @; an empty value; 128 key and 256 value characters.
        var key128 = new string('\u05d0', 128);
        var value256 = new string('x', 256);
        var body = $$"""{"ResourceArn":"{{Arn(table)}}","Tags":[{"Key":"ключ café 表","Value":"a+b-c=d.e_f:g/h@i"},{"Key":"empty","Value":""},{"Key":"{{key128}}","Value":"{{value256}}"},{"Key":"myaws:foo","Value":"v"}]}""";
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("TagResource", body)).StatusCode);
        Assert.Equal(4, (await ListAsync(table)).Count);

        var (_, _, tooLong) = await fixture.ErrorAsync("TagResource", $$"""{"ResourceArn":"{{Arn(table)}}","Tags":[{"Key":"{{new string('k', 129)}}","Value":"v"}]}""");
        Assert.Equal("The Tag Key provided is invalid, Key: " + new string('k', 129), tooLong);
        var (_, _, valueTooLong) = await fixture.ErrorAsync("TagResource", $$"""{"ResourceArn":"{{Arn(table)}}","Tags":[{"Key":"k","Value":"{{new string('v', 257)}}"}]}""");
        Assert.Equal("The Tag Value provided is invalid, Value: " + new string('v', 257), valueTooLong);
    }

    [Fact]
    public async Task UntagResourceChecksItsKeysAndTheirCount()
    {
        var table = await fixture.CreateHashTableAsync();
        var keys51 = "[" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"k{i}\"")) + "]";
        foreach (var (keys, message) in new[]
        {
            (keys51, TooMany),
            ("""[""]""", "The Tag Key provided is invalid, Key: "),
            ("""["gone","aws:foo"]""", "Tag Key cannot be prefixed with aws:, Key: aws:foo"),
        })
        {
            var (status, type, text) = await fixture.ErrorAsync("UntagResource", $$"""{"ResourceArn":"{{Arn(table)}}","TagKeys":{{keys}}}""");
            Assert.Equal((HttpStatusCode.BadRequest, Validation, message), (status, type, text));
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("UntagResource", $$"""{"ResourceArn":"{{Arn(table)}}","TagKeys":["never-set"]}""")).StatusCode);
    }

    [Fact]
    public async Task ListTagsOfResourceIgnoresAGarbageNextTokenAsAwsDoes()
    {
        // AWS answers 200 with the first (only) page for a NextToken it never issued (ack-api-quirks DDB-TABLE-073).
        var table = await fixture.CreateHashTableAsync();
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostAsync("TagResource", $$"""{"ResourceArn":"{{Arn(table)}}","Tags":[{"Key":"a","Value":"1"}]}""")).StatusCode);
        Assert.Equal([("a", "1")], await ListAsync(table, ""","NextToken":"not-a-token-we-issued" """));
    }

    [Theory]
    [InlineData("I_do_not_exist", "One or more parameter values were invalid: ARNs must start with 'arn:': I_do_not_exist")]
    [InlineData("arn:aws:s3:::bucket", "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: arn:aws:s3:::bucket")]
    [InlineData("arn:aws:dynamodb:us-east-1:000000000000:table/t/index/gsi", "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: arn:aws:dynamodb:us-east-1:000000000000:table/t/index/gsi")]
    [InlineData("arn:aws:dynamodb:eu-west-1:000000000000:table/t", "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:eu-west-1:000000000000:table/t")]
    public async Task TheTagOperationsRefuseAnArnThatIsNotATableOfThisRegion(string arn, string message)
    {
        foreach (var (operation, body) in new[]
        {
            ("ListTagsOfResource", $$"""{"ResourceArn":"{{arn}}"}"""),
            ("TagResource", $$"""{"ResourceArn":"{{arn}}","Tags":[{"Key":"a","Value":"1"}]}"""),
        })
        {
            var (status, type, text) = await fixture.ErrorAsync(operation, body);
            Assert.Equal((HttpStatusCode.BadRequest, Validation, message), (status, type, text));
        }
    }
}
