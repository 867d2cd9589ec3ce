using Microsoft.Playwright;

namespace Registry.Tests.Browser;

/// <summary>What the ordered steps of a browser scenario hand on to each other, and which steps passed.</summary>
public sealed class ScenarioState
{
    private readonly HashSet<string> _passed = [];

    /// <summary>One browser context (own cookies) per person.</summary>
    public IPage? Admin, Alice, Bob, Carol, Anonymous;

    public string? AdminPassword, InviteLink, AliceToken, UploadedSif;

    public IEnumerable<(string Who, IPage Page)> Pages =>
        new (string, IPage?)[] { ("admin", Admin), ("alice", Alice), ("bob", Bob), ("carol", Carol), ("anonymous", Anonymous) }
            .Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!));

    public void Passed(string step)
    {
        lock (_passed) _passed.Add(step);
    }

    /// <summary>Fails at once, naming the earlier step this one builds on, when that step did not pass.</summary>
    public void Require(params string[] steps)
    {
        lock (_passed)
        {
            var missing = steps.Where(s => !_passed.Contains(s)).ToList();
            if (missing.Count > 0)
                throw new InvalidOperationException($"not run: this step builds on {string.Join(", ", missing)}, which did not pass (see that test's failure)");
        }
    }
}
