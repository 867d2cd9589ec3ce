using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Teams;

namespace Registry.Tests.SignIn;

/// <summary>
/// Wrong passwords never lock an account (anyone could lock anyone out that way), and an unknown name, a disabled account and a
/// wrong password answer alike: the same status, page and message, and about the same time.
/// </summary>
public sealed class LockoutTests(SignInFactory factory) : IClassFixture<SignInFactory>
{
    [Fact]
    public async Task Wrong_passwords_from_one_address_do_not_lock_the_account_for_another_and_each_attempt_is_audited()
    {
        await factory.CreateUserWithPasswordAsync("dave", "Dave-pass-1");
        using var attacker = factory.Browser(LocalSignIn.NextAddress());

        for (var i = 0; i < 6; i++)
        {
            var failed = await LocalSignIn.SignInAsync(attacker, "dave", "wrong-Pass-1");
            failed.Address.AbsolutePath.ShouldBe("/Account/Login");
            failed.Html.ShouldContain("Error: Invalid login attempt.");
        }
        using var dave = factory.Browser(LocalSignIn.NextAddress());
        (await LocalSignIn.SignInAsync(dave, "dave", "Dave-pass-1")).Address.AbsolutePath.ShouldBe("/");

        (await factory.FindUserAsync("dave"))!.LockoutEnd.ShouldBeNull();
        (await factory.AuditAsync("signin.failed")).Count(e => e.UserName == "dave").ShouldBe(6);
        (await factory.AuditAsync("signin.lockedout")).ShouldNotContain(e => e.UserName == "dave");
        (await factory.AuditAsync("signin")).ShouldContain(e => e.UserName == "dave");
    }

    [Fact]
    public async Task An_unknown_name_a_disabled_account_and_a_wrong_password_answer_alike()
    {
        await factory.CreateUserWithPasswordAsync("ivy", "Ivy-pass-1");
        await factory.CreateUserWithPasswordAsync("jack", "Jack-pass-1");
        await factory.DisableAsync("jack");

        async Task<List<(System.Net.HttpStatusCode, string, string)>> AnswersAsync(string name)
        {
            using var browser = factory.Browser(LocalSignIn.NextAddress());
            var answers = new List<(System.Net.HttpStatusCode, string, string)>();
            for (var i = 0; i < 6; i++) // past Identity's five failures: no account reaches the lock-out page
            {
                var page = await LocalSignIn.SignInAsync(browser, name, "Wrong-pass-1");
                answers.Add((page.Status, page.Address.AbsolutePath, LocalSignIn.Alert(page.Html)));
            }
            return answers;
        }

        var wrong = await AnswersAsync("ivy");
        wrong.Distinct().ShouldBe([(HttpStatusCode.OK, "/Account/Login", "Error: Invalid login attempt.")]);
        (await AnswersAsync("nosuch")).ShouldBe(wrong);
        (await AnswersAsync("nosuch@example.edu")).ShouldBe(wrong);
        (await AnswersAsync("jack")).ShouldBe(wrong);
        (await factory.AuditAsync("signin.refused")).ShouldNotContain(e => e.UserName == "jack");

        // Only the right password learns that the account is disabled; it still does not sign in.
        using var owner = factory.Browser(LocalSignIn.NextAddress());
        var refused = await LocalSignIn.SignInAsync(owner, "jack", "Jack-pass-1");
        LocalSignIn.Alert(refused.Html).ShouldBe("Error: This account is disabled.");
        (await factory.AuditAsync("signin")).ShouldNotContain(e => e.UserName == "jack");
    }

    [Fact]
    public async Task An_unknown_name_takes_about_as_long_to_refuse_as_a_wrong_password()
    {
        // One real account per attempt, so that no limit or lock-out of any version can shorten the real ones' answers.
        for (var i = 0; i <= 15; i++) await factory.CreateUserWithPasswordAsync($"kim{i}", "Kim-pass-1");
        async Task<long> TimeAsync(string name)
        {
            using var browser = factory.Browser(LocalSignIn.NextAddress());
            var login = await browser.GetAsync("/Account/Login");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var page = await browser.SubmitAsync(login, "login", new() { ["Input.Email"] = name, ["Input.Password"] = "Wrong-pass-1" });
            clock.Stop();
            LocalSignIn.Alert(page.Html).ShouldBe("Error: Invalid login attempt.");
            return clock.ElapsedTicks;
        }

        await TimeAsync("kim15"); await TimeAsync("nobody-warm"); // warm-up: first requests compile and cache
        var real = new List<long>();
        var unknown = new List<long>();
        for (var i = 0; i < 15; i++) // interleaved, so load on a shared machine hits both alike
        {
            real.Add(await TimeAsync($"kim{i}"));
            unknown.Add(await TimeAsync($"nobody{i}"));
        }

        // Medians and a generous factor: robust on a loaded machine, yet far from the old 9-33 ms against 59-170 ms.
        static double Median(List<long> ticks) => ticks.Order().ElementAt(ticks.Count / 2);
        Median(unknown).ShouldBeGreaterThan(Median(real) / 3, $"unknown {Median(unknown)} ticks, real {Median(real)} ticks");
        Median(unknown).ShouldBeLessThan(Median(real) * 3, $"unknown {Median(unknown)} ticks, real {Median(real)} ticks");
    }

    [Fact]
    public async Task A_good_password_signs_in_and_signing_out_is_audited()
    {
        await factory.CreateUserWithPasswordAsync("frank", "Frank-pass-1");
        using var browser = factory.Browser();

        var signedIn = await LocalSignIn.SignInAsync(browser, "frank", "Frank-pass-1", returnUrl: "/auth/tokens");
        signedIn.Address.AbsolutePath.ShouldBe("/auth/tokens");
        signedIn.Status.ShouldBe(HttpStatusCode.OK);
        (await factory.AuditAsync("signin")).Last().ShouldSatisfyAllConditions(e => e.UserName.ShouldBe("frank"), e => e.Detail.ShouldBe("password"));

        await browser.SubmitAsync(signedIn, null, new() { ["returnUrl"] = "" }, action: "/Account/Logout");
        (await factory.AuditAsync("signout")).Last().UserName.ShouldBe("frank");
        (await browser.GetAsync("/auth/tokens", follow: false)).Status.ShouldBe(HttpStatusCode.Redirect);
    }
}
