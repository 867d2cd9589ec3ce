using Registry.Core.Keys;
using Registry.Core.Signatures;

using static Registry.Web.Admin.AdminCli;

namespace Registry.Web.Admin;

/// <summary><c>key delete</c>.</summary>
internal static class KeyCommands
{
    /// <summary>HKP has no delete: a key pushed by mistake (or a secret key's public half that should not be listed) goes here or in the web UI.</summary>
    public static async Task<int> DeleteKeyAsync(IServiceProvider sp, string fingerprint)
    {
        var deleted = await sp.GetRequiredService<KeyService>().DeleteAsync(CliActor, fingerprint);
        if (!deleted.Succeeded) return Fail(1, deleted.Message);
        Console.WriteLine($"deleted key {deleted.Value!.Fingerprint} ({deleted.Value.UidList.FirstOrDefault()})");
        // No background service runs here: the images this key signed get their verdicts now.
        var images = await sp.GetRequiredService<SignatureRefresh>().RefreshAsync(deleted.Value.Fingerprint);
        if (images > 0) Console.WriteLine($"verified again the signatures of {images} images it signed");
        return 0;
    }
}
