using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Images;
using Registry.Core.Tags;

namespace Registry.Tests.Core;

/// <summary>
/// <c>owner/collection/tall</c> written straight as rows, as bench/scale/seed.sql makes its tall container: image k (from 0)
/// tagged <c>t{k/2}</c> on amd64 (k even) or arm64 (k odd), k minutes after <see cref="Start"/> (so each name's arm64 row
/// is its newest, the one <c>/v2/</c> serves); then uploaded untagged images, newer than every tag; and one image whose
/// upload never finished (never a row).
/// </summary>
internal static class TallContainer
{
    public static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static string Hex(int k) => $"{k:x64}";

    public static string Arch(int k) => k % 2 == 0 ? "amd64" : "arm64";

    /// <summary>Writes the container; returns its id.</summary>
    public static async Task<string> AddAsync(TestDatabase db, Actor owner, int tags, int untagged, string collection = "deep", bool isPrivate = false)
    {
        await using var ctx = await db.Factory.CreateDbContextAsync();
        var entity = await ctx.Entities.SingleAsync(e => e.Name == owner.UserName);
        var c = new Collection { EntityId = entity.Id, Name = collection, IsPrivate = isPrivate, CreatedById = owner.UserId! };
        var x = new Container { CollectionId = c.Id, Name = "tall", CreatedById = owner.UserId! };
        ctx.Collections.Add(c);
        ctx.Containers.Add(x);
        for (var k = 0; k < tags; k++)
        {
            var at = Start.AddMinutes(k);
            var image = new Image { ContainerId = x.Id, Hash = Hex(k), Size = 1000 + k, Uploaded = true, Arch = Arch(k),
                CreatedAt = at, UploadedAt = at, CreatedByName = owner.UserName, Description = $"image {k}" };
            ctx.Images.Add(image);
            ctx.Tags.Add(new Tag { ContainerId = x.Id, ImageId = image.Id, Arch = Arch(k), Name = $"t{k / 2}", CreatedAt = at, UpdatedAt = at, UpdatedByName = owner.UserName });
        }
        for (var j = 0; j < untagged; j++)
            ctx.Images.Add(new Image { ContainerId = x.Id, Hash = Hex(10_000 + j), Size = 500, Uploaded = true, Arch = "amd64",
                CreatedAt = Start.AddDays(1).AddMinutes(j), UploadedAt = Start.AddDays(1).AddMinutes(j), CreatedByName = owner.UserName });
        ctx.Images.Add(new Image { ContainerId = x.Id, Hash = Hex(20_000), Size = 1, Uploaded = false, CreatedAt = Start.AddDays(2) });
        await ctx.SaveChangesAsync();
        return x.Id;
    }
}
