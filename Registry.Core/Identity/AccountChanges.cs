namespace Registry.Core.Identity;

/// <summary>
/// Announces that an account lost powers (disabled, demoted): its open browser sessions revalidate at once instead of
/// at their next periodic check, so a disabled user can't go on writing from a page opened before. In-process: each
/// node tells its own circuits.
/// </summary>
public sealed class AccountChanges
{
    public event Action<string>? Changed;

    public void Announce(string userId) => Changed?.Invoke(userId);
}
