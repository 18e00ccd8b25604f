using Handshake.Lambda.Environments;

namespace Handshake.Lambda;

/// <summary>A function's tags: they go with the function (not a version) and change nothing it runs.</summary>
public sealed partial class FunctionHost
{
    /// <summary>Lambda's quota: 50 tags a function.</summary>
    public const int MaxTagsPerFunction = 50;

    /// <exception cref="LambdaException">ResourceNotFoundException.</exception>
    public IReadOnlyDictionary<string, string> ListTags(string name) => Pool(name).Tags();

    /// <exception cref="LambdaException">ResourceNotFoundException; InvalidParameterValueException above 50 tags.</exception>
    public void TagFunction(string name, IReadOnlyDictionary<string, string> tags)
    {
        if (!Pool(name).Tag(tags, MaxTagsPerFunction))
        {
            throw LambdaException.InvalidParameter("Number of tags exceeds resource tag limit.");
        }
    }

    /// <exception cref="LambdaException">ResourceNotFoundException.</exception>
    public void UntagFunction(string name, IEnumerable<string> keys) => Pool(name).Untag(keys);
}
