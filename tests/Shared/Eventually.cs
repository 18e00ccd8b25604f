namespace Handshake.Tests.Shared;

/// <summary>
/// Waits for a condition that nothing notifies (a count, a /proc state, a file), checking it again every few
/// milliseconds. Bounded by a deadline generous enough for a loaded 2-core CI machine (30 s by default), not by a number
/// of polls or a fixed sleep: a passing test waits only until the condition holds, and only a failing one waits the
/// bound out. Prefer an event or a task when the code under test offers one. One source file, linked into the test
/// projects that poll (tests/Shared).
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(30);

    /// <summary>Returns once <paramref name="condition"/> holds; throws a <see cref="TimeoutException"/> naming <paramref name="what"/> at the bound.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? bound = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, bound);

    /// <inheritdoc cref="WaitUntilAsync(Func{bool}, string, TimeSpan?)"/>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        DateTime giveUp = DateTime.UtcNow + (bound ?? DefaultBound);
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow >= giveUp)
            {
                throw new TimeoutException($"{what}: not so after {(bound ?? DefaultBound).TotalSeconds:0.#} s");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
