using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Core.Uploads;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.Sregistry;

namespace Registry.Tests.Signatures;

/// <summary>What a refused push must not take with it: a container that existed before, or a concurrent push's image.</summary>
public sealed class RefusedPushKeepsTests : StrictRegistryTest
{
    [Fact]
    public async Task A_refused_push_keeps_a_container_that_holds_a_signed_image_and_an_empty_one_stored_before_the_upgrade()
    {
        var (client, token) = await AliceAsync();
        var url = factory.BaseAddress.ToString().TrimEnd('/');
        var signed = await sifs.CreateSignedAsync(alice);
        (await GoDriver.RunAgainstAsync(url, token, ["push", signed, "alice/strict/tool", "v1"])).ExitCode.ShouldBe(0);
        var (sif, hash) = await UnsignedAsync();
        (await GoDriver.RunAgainstAsync(url, token, ["push", sif, "alice/strict/tool", "v2"])).ExitCode.ShouldNotBe(0);
        await ShouldHoldSignedAsync(client, "tool", "v1", signed);
        (await client.GetAsync($"/v1/images/alice/strict/tool:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);

        // An empty container from before this change (AwaitingFirstImage false) is the user's: a refused push leaves it.
        await RegisterAsync(client, "older", "0".PadLeft(64, '0'));
        await using (var db = await Db())
        {
            await db.Images.Where(i => i.Container!.Name == "older").ExecuteDeleteAsync();
            await db.Containers.Where(c => c.Name == "older").ExecuteUpdateAsync(u => u.SetProperty(c => c.AwaitingFirstImage, false));
        }
        (await GoDriver.RunAgainstAsync(url, token, ["push", sif, "alice/strict/older", "v1"])).ExitCode.ShouldNotBe(0);
        (await client.GetAsync("/v1/containers/alice/strict/older")).Status.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync($"/v1/images/alice/strict/older:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_signed_and_an_unsigned_push_into_one_new_container_at_once_keep_the_signed_one_whole()
    {
        var (client, token) = await AliceAsync();
        var url = factory.BaseAddress.ToString().TrimEnd('/');
        for (var round = 0; round < 3; round++)
        {
            var name = $"race{round}";
            var signed = await sifs.CreateSignedAsync(alice);
            var (unsigned, hash) = await UnsignedAsync();
            var pushes = await Task.WhenAll(
                GoDriver.RunAgainstAsync(url, token, ["push", signed, $"alice/strict/{name}", "good"]),
                GoDriver.RunAgainstAsync(url, token, ["push", unsigned, $"alice/strict/{name}", "bad"]));
            pushes[0].ExitCode.ShouldBe(0, pushes[0].ToString());
            pushes[1].ExitCode.ShouldNotBe(0);
            pushes[1].Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
            await ShouldHoldSignedAsync(client, name, "good", signed);
            (await client.GetAsync($"/v1/images/alice/strict/{name}:sha256.{hash}")).Status.ShouldBe(HttpStatusCode.NotFound);
            await using var db = await Db();
            (await db.Images.CountAsync(i => i.Container!.Name == name)).ShouldBe(1);
        }
    }
}
