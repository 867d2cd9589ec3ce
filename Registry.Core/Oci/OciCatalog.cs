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
/// The repositories an actor may see: every container with an uploaded image or a stored <c>/v2/</c> manifest in a
/// collection they may view (<see cref="AccessRules.Viewable"/>), by name in ordinal order, paged in SQL with <c>n</c>
/// and <c>last</c>: one page reads one page of rows, whatever the number of repositories.
/// See: https://distribution.github.io/distribution/spec/api/#catalog
/// </summary>
public sealed class OciCatalog(IDbContextFactory<RegistryDbContext> dbFactory)
{
    public async Task<(List<string> Names, bool More)> ListAsync(Actor actor, int? n, string? last, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var size = Math.Min(n ?? OciLimits.MaxPage, OciLimits.MaxPage);
        if (size == 0) return ([], false);
        var collections = AccessRules.Viewable(db.Collections, actor).Select(c => c.Id);
        var names = db.Containers.Where(x => collections.Contains(x.CollectionId)
                && (db.Images.Any(i => i.ContainerId == x.Id && i.Uploaded) || db.OciManifests.Any(m => m.ContainerId == x.Id)))
            .Select(x => EF.Functions.Collate(x.Collection!.Entity!.Name + "/" + x.Collection.Name + "/" + x.Name, OrdinalCollation(db)));
        if (last is not null) names = names.Where(name => string.Compare(name, last) > 0);
        var page = await names.OrderBy(name => name).Take(size + 1).ToListAsync(ct);
        return (page.Take(size).ToList(), page.Count > size);
    }

    // Names are ASCII ([a-z0-9._-] and '/'), and paging by last needs ordinal order: SQLite's BINARY collation is that,
    // PostgreSQL's default (a locale's) is not ("b-c" and "b.c" swap), its "C" collation is.
    private static string OrdinalCollation(RegistryDbContext db) => db.Database.IsNpgsql() ? "C" : "BINARY";
}
