using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Keys;
using Registry.Tests.Api;
using Registry.Web.Components.Pages.Keys;

namespace Registry.Tests.Components;

/// <summary>The Keys page: one's own uploaded keys (every key for an admin), adding by pasting armor, deleting after confirming.</summary>
public sealed class KeysPageTests : RegistryTestContext
{
    private KeyService Keys => Services.GetRequiredService<KeyService>();

    private async Task AddAsync(Actor actor, string armored) => (await Keys.AddAsync(actor, armored)).Succeeded.ShouldBeTrue();

    private static string Spaced(string fingerprint) => string.Join(' ', fingerprint.ToUpperInvariant().Chunk(4).Select(c => new string(c)));

    private static void Paste(IRenderedComponent<KeysPage> page, string text) => page.Find("textarea").Change(text);

    private async Task<int> StoredCountAsync()
    {
        await using var db = await Db.Factory.CreateDbContextAsync();
        return await db.PublicKeys.CountAsync();
    }

    [Fact]
    public async Task A_user_sees_their_own_keys_with_user_ids_and_revocation_but_not_others()
    {
        using var mine = new GpgKey("Alice Keys <alice@example.org>", "ed25519");
        using var revoked = new GpgKey("Alice Old <alice-old@example.org>", "ed25519");
        using var theirs = new GpgKey("Bob Keys <bob@example.org>", "ed25519");
        var alice = await Db.AddUserAsync("alice");
        await AddAsync(alice, mine.Armored);
        await AddAsync(alice, revoked.Revoke());
        await AddAsync(await Db.AddUserAsync("bob"), theirs.Armored);
        SignIn(alice);
        RenderProviders();

        var page = Render<KeysPage>();

        page.WaitForAssertion(() => page.FindAll("tbody tr").Count.ShouldBe(2));
        var rows = page.FindAll("tbody tr");
        var current = rows.Single(r => r.TextContent.Contains("Alice Keys"));
        current.QuerySelector(".key-fingerprint")!.TextContent.ShouldBe(Spaced(mine.Fingerprint));
        current.QuerySelector("[data-label=Status]")!.TextContent.Trim().ShouldBe("valid");
        current.QuerySelector("[data-label=Expires]")!.TextContent.Trim().ShouldBe("never");
        rows.Single(r => r.TextContent.Contains("Alice Old")).QuerySelector("[data-label=Status]")!.TextContent.Trim().ShouldBe("revoked");
        page.Markup.ShouldNotContain("Bob Keys");
        page.Markup.ShouldNotContain("Uploaded by");
    }

    [Fact]
    public async Task A_pasted_key_is_added_and_listed_and_bad_pastes_get_a_message_at_the_field()
    {
        using var key = new GpgKey("Carol Paste <carol@example.org>", "ed25519");
        SignIn(await Db.AddUserAsync("carol"));
        RenderProviders();
        var page = Render<KeysPage>();
        page.WaitForAssertion(() => page.Markup.ShouldContain("No keys yet."));
        var broken = key.Armored.Replace(key.Armored.Split('\n')[3], new string('A', 64));

        foreach (var (paste, message) in new[]
        {
            ("hello", "That is not an ASCII-armored public key (it starts with -----BEGIN PGP PUBLIC KEY BLOCK-----): export it with gpg --armor --export <fingerprint>."),
            ("-----BEGIN PGP PRIVATE KEY BLOCK-----\nxyz", "That is a private key: never paste it anywhere. Export the public half with gpg --armor --export <fingerprint>."),
            (broken, "That key block cannot be read: "),
        })
        {
            Paste(page, paste);
            page.Find("[data-testid=add-key]").Click();
            page.WaitForAssertion(() => page.Find(".mud-input-helper-text.mud-input-error").TextContent.ShouldStartWith(message));
        }
        (await StoredCountAsync()).ShouldBe(0);

        Paste(page, key.Armored);
        page.Find("[data-testid=add-key]").Click();

        page.WaitForAssertion(() => page.Find("tbody tr .key-fingerprint").TextContent.ShouldBe(Spaced(key.Fingerprint)));
        page.Find("tbody tr").TextContent.ShouldContain("Carol Paste <carol@example.org>");
        page.Find("textarea").GetAttribute("value").ShouldBeNullOrEmpty();
        page.FindAll(".mud-input-helper-text.mud-input-error").ShouldBeEmpty();
        (await StoredCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task Deleting_asks_first_and_cancel_keeps_the_key()
    {
        using var key = new GpgKey("Dora Delete <dora@example.org>", "ed25519");
        var dora = await Db.AddUserAsync("dora");
        await AddAsync(dora, key.Armored);
        SignIn(dora);
        var dialogs = RenderProviders();
        var page = Render<KeysPage>();
        page.WaitForAssertion(() => page.Find($"button[aria-label='Delete key {key.Fingerprint}']"));

        page.Find($"button[aria-label='Delete key {key.Fingerprint}']").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain($"Delete key {key.Fingerprint} (Dora Delete &lt;dora@example.org&gt;)?"));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldNotContain("Delete key"));
        (await StoredCountAsync()).ShouldBe(1);

        page.Find($"button[aria-label='Delete key {key.Fingerprint}']").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click());

        page.WaitForAssertion(() => page.Markup.ShouldContain("No keys yet."));
        (await StoredCountAsync()).ShouldBe(0);
        (await Keys.FindAsync("0x" + key.Fingerprint)).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_holder_of_a_key_a_stranger_uploaded_sees_it_by_their_verified_email_and_deletes_it()
    {
        using var key = new GpgKey("Hal Holder <hal@example.org>", "ed25519");
        await AddAsync(await Db.AddUserAsync("squatter"), key.Armored);
        SignIn(await Db.AddUserAsync("hal", verifiedEmail: "hal@example.org"));
        var dialogs = RenderProviders();
        var page = Render<KeysPage>();

        page.WaitForAssertion(() => page.Find($"button[aria-label='Delete key {key.Fingerprint}']").Click());
        dialogs.WaitForAssertion(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click());

        page.WaitForAssertion(() => page.Markup.ShouldContain("No keys yet."));
        (await StoredCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task An_admin_sees_every_key_with_its_uploader_and_deletes_another_users_key()
    {
        using var key = new GpgKey("Erin Other <erin@example.org>", "ed25519");
        await AddAsync(await Db.AddUserAsync("erin"), key.Armored);
        SignIn(await Db.AddUserAsync("root", isAdmin: true));
        var dialogs = RenderProviders();
        var page = Render<KeysPage>();

        page.WaitForAssertion(() => page.Find("tbody tr [data-label='Uploaded by']").TextContent.ShouldBe("erin"));
        page.Markup.ShouldContain("All keys");
        page.Find($"button[aria-label='Delete key {key.Fingerprint}']").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click());

        page.WaitForAssertion(() => page.Markup.ShouldContain("No keys yet."));
        (await StoredCountAsync()).ShouldBe(0);
    }
}
