using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Registry.Tests.Api;
using Registry.Tests.Browser;
using static Microsoft.Playwright.Assertions;

namespace Registry.Tests.Signatures;

/// <summary>What a visitor sees in a real browser: the signed mark on the collection page, each verdict on the container page.</summary>
public sealed class SignaturePageTests(BrowserFixture fx) : IClassFixture<BrowserFixture>, IDisposable
{
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    [Fact]
    public async Task A_verified_signature_is_shown_with_its_signer_key_and_uploader_and_a_tampered_image_in_red()
    {
        await fx.Server.AdminOkAsync("user", "add", "signer", "--accept-terms", "--password", "Pw-signature-page-7!");
        var token = await fx.Server.CreateTokenAsync("signer");
        using (var push = new HttpRequestMessage(HttpMethod.Post, "pks/add") { Content = new FormUrlEncodedContent([new("keytext", alice.Armored)]) })
        {
            push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await fx.Server.Http.SendAsync(push)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        var tampered = await sifs.CreateSignedAsync(alice);
        await using (var file = File.Open(tampered, FileMode.Open)) { file.Position = 40_000; file.WriteByte(0x5a); }
        (await fx.LibAsync(token, "push", await sifs.CreateSignedAsync(alice), "signer/tools/signed", "v1")).ExitCode.ShouldBe(0);
        (await fx.LibAsync(token, "push", tampered, "signer/tools/tampered", "v1")).ExitCode.ShouldBe(0);
        await Verdicts.StoredAsync(fx.Server.Http, token, "signer/tools/signed:v1"); // verified in the background after the push
        await Verdicts.StoredAsync(fx.Server.Http, token, "signer/tools/tampered:v1");

        var page = await fx.NewPageAsync();
        await page.OpenAsync("/signer/tools");
        var rows = page.GetByRole(AriaRole.Row);
        await Expect(rows.Filter(new() { HasText = "signed" }).Locator("[data-signed]")).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "tampered" }).Locator("[data-signed]")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "signed", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signer/tools/signed$"));
        var verified = page.Locator("[data-signature=verified]");
        var fpr = alice.Fingerprint.ToUpperInvariant();
        await Expect(verified).ToHaveTextAsync($"Signed by Alice Example <alice@lab.example> · key {fpr[..4]}…{fpr[^4..]} (uploaded by signer) · verified");
        await Expect(verified.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/pks/lookup?op=get&search=0x{alice.Fingerprint}");

        await page.GoBackAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "tampered", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signer/tools/tampered$"));
        var invalid = page.Locator("[data-signature=invalid]");
        await Expect(invalid).ToContainTextAsync("INVALID: object 2 was changed after signing");
        await Expect(invalid).ToHaveClassAsync(new Regex("mud-alert-.*error"));
        await Expect(page.Locator("[data-signature=verified]")).ToHaveCountAsync(0);
    }

    public void Dispose()
    {
        alice.Dispose();
        sifs.Dispose();
    }
}
