using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Teams;

namespace Registry.Tests.SignIn;

public sealed class SignInLimitFactory() : SignInFactory(new() { ["RateLimits:SignInPerAddressPerMinute"] = "3" });

public sealed class AccountSignInLimitFactory()
    : SignInFactory(new() { ["RateLimits:SignInPerAddressPerMinute"] = "100", ["RateLimits:SignInPerAccountPerMinute"] = "3" });

/// <summary>Sign-in attempts are limited per address: 429 with Retry-After.</summary>
public sealed class SignInRateLimitTests(SignInLimitFactory factory) : IClassFixture<SignInLimitFactory>
{
    [Fact]
    public async Task Too_many_sign_in_attempts_from_one_address_get_429_with_retry_after()
    {
        using var browser = factory.Browser();
        for (var i = 0; i < 3; i++) (await LocalSignIn.SignInAsync(browser, "nobody", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK);

        var refused = await LocalSignIn.SignInAsync(browser, "nobody", "Wrong-pass-1");

        refused.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Response.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldNotBeNull().TotalSeconds.ShouldBeInRange(1, 60);
        refused.Html.ShouldStartWith("too many requests; retry in ");
        (await browser.GetAsync("/Account/Login")).Status.ShouldBe(HttpStatusCode.OK); // reading the page is not an attempt
    }
}

/// <summary>
/// Sign-in attempts on one account are limited per address too (guessing one password from an address that spreads its
/// attempts over many names is slowed as well), but an attacker who uses up that budget does not lock the owner out.
/// </summary>
public sealed class AccountSignInRateLimitTests(AccountSignInLimitFactory factory) : IClassFixture<AccountSignInLimitFactory>
{
    [Fact]
    public async Task Attempts_on_one_account_from_one_address_share_a_limit_that_neither_blocks_the_owner_elsewhere_nor_tells_names_apart()
    {
        await factory.CreateUserWithPasswordAsync("carol", "Carol-pass-1");
        await factory.CreateUserWithPasswordAsync("erik", "Erik-pass-1");
        using var attacker = factory.Browser(LocalSignIn.NextAddress());
        for (var i = 0; i < 2; i++) (await LocalSignIn.SignInAsync(attacker, "carol", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK);
        (await LocalSignIn.SignInAsync(attacker, "CAROL", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK); // the same account, however cased

        var refused = await LocalSignIn.SignInAsync(attacker, "carol", "Carol-pass-1");

        refused.Status.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Response.Headers.RetryAfter.ShouldNotBeNull().Delta.ShouldNotBeNull().TotalSeconds.ShouldBeInRange(1, 60);
        refused.Html.ShouldStartWith("too many requests; retry in ");
        (await factory.AuditAsync("signin")).ShouldNotContain(e => e.UserName == "carol"); // the right password did not get through from there

        // The owner, from another address, signs in with the right password at once.
        using var carol = factory.Browser(LocalSignIn.NextAddress());
        (await LocalSignIn.SignInAsync(carol, "carol", "Carol-pass-1")).Address.AbsolutePath.ShouldBe("/");
        (await factory.AuditAsync("signin")).ShouldContain(e => e.UserName == "carol");

        // A name that does not exist is limited alike; other accounts from the attacker's address are not.
        for (var i = 0; i < 3; i++) (await LocalSignIn.SignInAsync(attacker, "nosuch", "Wrong-pass-1")).Status.ShouldBe(HttpStatusCode.OK);
        var unknown = await LocalSignIn.SignInAsync(attacker, "nosuch", "Wrong-pass-1");
        (unknown.Status, unknown.Html[..26]).ShouldBe((refused.Status, refused.Html[..26]));
        (await LocalSignIn.SignInAsync(attacker, "erik", "Erik-pass-1")).Address.AbsolutePath.ShouldBe("/");
    }
}
