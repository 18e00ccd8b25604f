using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda;

/// <summary>
/// Published versions and aliases. A version is a snapshot of $LATEST's code and configuration with environments of
/// its own; an alias names a version (or $LATEST), optionally with a weighted second version. Qualified invocations
/// (a version or an alias) take this path; unqualified and $LATEST ones keep <see cref="TryInvokeWarm"/>'s.
/// </summary>
public sealed partial class FunctionHost
{
    /// <summary>PublishVersion (and Publish=true): the new version's configuration, or the last one when nothing changed.</summary>
    /// <exception cref="LambdaException">
    /// ResourceNotFoundException, PreconditionFailedException (RevisionId), InvalidParameterValueException (CodeSha256).
    /// </exception>
    public FunctionDefinition PublishVersion(string name, string? description = null, string? codeSha256 = null, string? revisionId = null)
    {
        EnvironmentPool pool = Pool(name);
        // Zipped code is unpacked once per CodeSha256 and never changed: the version keeps the directory. A local
        // directory (hot reload) is used in place by every version, as LocalStack's hot reload does (README).
        bool hotReload = !IsUnpackedCode(pool.Definition.CodeDirectory);
        return pool.Publish(description, codeSha256, revisionId, hotReload);
    }

    /// <summary>ListVersionsByFunction: $LATEST, then the published versions in order.</summary>
    public IReadOnlyList<FunctionDefinition> ListVersions(string name) => Pool(name).Versions();

    /// <summary>The configuration a qualifier names ($LATEST, a version, or an alias's primary version); null qualifier: $LATEST.</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException (<c>Function not found: ARN:QUALIFIER</c>).</exception>
    public FunctionDefinition GetVersion(string name, string? qualifier)
    {
        EnvironmentPool pool = Pool(name, qualifier);
        if (qualifier is null)
        {
            return pool.Definition;
        }

        return pool.TryResolve(qualifier, out FunctionDefinition definition)
            ? definition
            : throw LambdaException.FunctionNotFound(Arn(name) + ":" + qualifier);
    }

    /// <summary>DeleteFunction with a Qualifier: one published version.</summary>
    public void DeleteVersion(string name, string qualifier) => Pool(name, qualifier).DeleteVersion(qualifier);

    public FunctionAlias CreateAlias(string name, FunctionAlias alias) => Pool(name).CreateAlias(alias);

    public FunctionAlias GetAlias(string name, string alias) => Pool(name).GetAlias(alias);

    public IReadOnlyList<FunctionAlias> ListAliases(string name, string? functionVersion = null) => Pool(name).Aliases(functionVersion);

    public FunctionAlias UpdateAlias(string name, string alias, Func<FunctionAlias, FunctionAlias> change) => Pool(name).UpdateAlias(alias, change);

    public void DeleteAlias(string name, string alias) => Pool(name).DeleteAlias(alias);

    /// <summary>Throws Lambda's ResourceNotFoundException unless the function and the qualifier (when given) exist.</summary>
    internal void CheckQualifier(string name, string? qualifier)
    {
        if (qualifier is null || qualifier == FunctionDefinition.LatestVersion)
        {
            _ = Pool(name, qualifier);
            return;
        }

        _ = GetVersion(name, qualifier);
    }

    /// <summary>
    /// A version or alias invocation: the alias picks its version, which runs in that version's environments (against
    /// the function's reserved concurrency); X-Amz-Executed-Version is the version that ran.
    /// </summary>
    private async Task<InvocationResult> InvokeQualifiedAsync(string name, Invocation invocation, CancellationToken cancellationToken)
    {
        EnvironmentPool pool = Pool(name, invocation.Qualifier);
        if (!pool.TryRoute(invocation.Qualifier!, out PublishedVersion? version))
        {
            throw LambdaException.FunctionNotFound(Arn(name) + ":" + invocation.Qualifier);
        }

        invocation.ExecutedVersion = version?.Definition.Version ?? FunctionDefinition.LatestVersion;
        InvocationResult result = await pool.InvokeAsync(invocation, version, cancellationToken).ConfigureAwait(false);
        result.ExecutedVersion = invocation.ExecutedVersion;
        return result;
    }

    /// <summary>True for code unpacked from a zip under the data directory (immutable), false for a local directory.</summary>
    internal bool IsUnpackedCode(string codeDirectory) =>
        codeDirectory.StartsWith(Path.Combine(DataDirectory, "functions") + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private EnvironmentPool Pool(string name, string? qualifier) =>
        _functions.TryGetValue(name, out EnvironmentPool? pool)
            ? pool
            : throw LambdaException.FunctionNotFound(Arn(name) + (qualifier is null ? "" : ":" + qualifier));
}
