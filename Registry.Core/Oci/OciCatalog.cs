using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Registry.Core.Access;
using Registry.Core.Data;

namespace Registry.Core.Oci;

/// <summary><c>GET /v2/_catalog?n=&amp;last=</c>: the query, checked like every /v2/ request.</summary>
public sealed record OciCatalogRequest(string? N, string? Last);

public sealed class OciCatalogRequestValidator : AbstractValidator<OciCatalogRequest>
{
    public OciCatalogRequestValidator()
    {
        RuleFor(r => r.N).Must(n => n is null || int.TryParse(n, System.Globalization.NumberStyles.None, null, out _)).WithErrorCode("UNSUPPORTED")
            .WithMessage("n must be a whole number");
        RuleFor(r => r.Last).Must(l => l is null || l.Length <= 3 * Names.MaxLength + 2).WithErrorCode("UNSUPPORTED")
            .WithMessage("last is longer than a repository name can be");
    }
}

/// <summary>
/// The repositories an actor may see: every container with an uploaded image in a collection they may view, by name in
/// ordinal order, paged with <c>n</c> and <c>last</c>. Visibility is <see cref="AccessRules"/>, asked per collection.
/// See: https://distribution.github.io/distribution/spec/api/#catalog
/// </summary>
public sealed class OciCatalog(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public async Task<(List<string> Names, bool More)> ListAsync(Actor actor, int? n, string? last, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var collections = await db.Collections.AsNoTracking().WithAccessGraph().ToListAsync(ct);
        var visible = collections.Where(c => AccessRules.For(actor, c).CanView).ToDictionary(c => c.Id, c => $"{c.Entity!.Name}/{c.Name}/");
        var containers = await db.Containers.AsNoTracking().Where(x => db.Images.Any(i => i.ContainerId == x.Id && i.Uploaded))
            .Select(x => new { x.CollectionId, x.Name }).ToListAsync(ct);
        var names = containers.Where(x => visible.ContainsKey(x.CollectionId)).Select(x => visible[x.CollectionId] + x.Name)
            .Where(name => last is null || string.CompareOrdinal(name, last) > 0).OrderBy(name => name, StringComparer.Ordinal).ToList();
        var size = Math.Min(n ?? OciLimits.MaxPage, OciLimits.MaxPage);
        return (names.Take(size).ToList(), names.Count > size);
    }
}
