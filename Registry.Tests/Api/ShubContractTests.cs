using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Identity.AccessTokens;
using static Registry.Tests.Api.ContractJson;

namespace Registry.Tests.Api;

/// <summary>The shub answer of docs/shub.md, whole bodies.</summary>
public class ShubContractTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Shub_manifest_is_exact_and_an_ambiguous_collection_names_the_library_refs()
    {
        var (_, tokenA) = await factory.CreateUserAsync("shuba");
        var (_, tokenB) = await factory.CreateUserAsync("shubb");
        var fileA = SifBuilder.Bytes(3000);
        var idA = await new LibraryClient(factory.Client(tokenA)).PushAsync("shuba", "twin", "x", fileA, "latest");
        var clientB = new LibraryClient(factory.Client(tokenB));
        await clientB.PushAsync("shubb", "twin", "x", SifBuilder.Bytes(3000), "latest");
        var anonymous = new LibraryClient(factory.Client());

        var (status, body) = await anonymous.GetAsync("/api/container/twin/x:latest");
        status.ShouldBe(HttpStatusCode.Conflict);
        body!.ToJsonString().ShouldBe(
            """{"detail":"several entities (shuba, shubb) have a collection named twin, and shub:// names no owner; pull library://shuba/twin/x:latest or library://shubb/twin/x:latest","error":{"code":409,"message":"several entities (shuba, shubb) have a collection named twin, and shub:// names no owner; pull library://shuba/twin/x:latest or library://shubb/twin/x:latest"}}""");

        // Once shubb's collection is private, only shuba's exists for anyone else; shubb still sees both.
        var (_, twinB) = await clientB.GetAsync("/v1/collections/shubb/twin");
        var collections = factory.Services.GetRequiredService<CollectionService>();
        (await collections.SetPrivateAsync(Root, (string)twinB!["data"]!["id"]!, true)).Succeeded.ShouldBeTrue();
        (await clientB.GetAsync("/api/container/twin/x:latest")).Status.ShouldBe(HttpStatusCode.Conflict);

        (status, body) = await anonymous.GetAsync("/api/container/twin/x:latest");
        status.ShouldBe(HttpStatusCode.OK);
        var imageUrl = (string)body!["image"]!;
        imageUrl.ShouldStartWith($"{factory.BaseAddress.ToString().TrimEnd('/')}/v1/imagefile-blob/{idA}?exp=");
        body["image"] = "URL";
        body.ToJsonString().ShouldBe(
            $$$"""{"id":"{{{idA}}}","name":"x","tag":"latest","version":"sha256.{{{Hex(fileA)}}}","commit":"{{{Hex(fileA)}}}","image":"URL","size":3000,"arch":"amd64","collection":"twin","frozen":false,"signed":false,"fingerprints":[]}""");
        (await new HttpClient().GetByteArrayAsync(imageUrl)).ShouldBe(fileA);

        // A collection private to everyone but its owner answers anonymous callers as a missing one does: 401, so that
        // sregistry-cli retries with its signature; an unknown tag is a 404 envelope.
        await clientB.PushAsync("shubb", "solo", "y", SifBuilder.Bytes(1000), "latest");
        var (_, solo) = await clientB.GetAsync("/v1/collections/shubb/solo");
        (await collections.SetPrivateAsync(Root, (string)solo!["data"]!["id"]!, true)).Succeeded.ShouldBeTrue();
        (status, body) = await anonymous.GetAsync("/api/container/solo/y:latest");
        status.ShouldBe(HttpStatusCode.Unauthorized);
        const string hidden = "collection solo not found, or private: sign the request (sregistry-cli) or send a token to see private collections";
        body!.ToJsonString().ShouldBe($$$"""{"detail":"{{{hidden}}}","error":{"code":401,"message":"{{{hidden}}}"}}""");
        (await clientB.GetAsync("/api/container/solo/y:latest")).Status.ShouldBe(HttpStatusCode.OK);
        (status, body) = await clientB.GetAsync("/api/container/solo/y:nope");
        status.ShouldBe(HttpStatusCode.NotFound);
        body!["error"]!["code"]!.GetValue<int>().ShouldBe(404);
    }
}
