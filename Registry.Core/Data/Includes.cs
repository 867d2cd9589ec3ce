using Microsoft.EntityFrameworkCore;
using Registry.Core.Collections;
using Registry.Core.Containers;

namespace Registry.Core.Data;

/// <summary>The object graphs that <see cref="Access.AccessRules"/> needs to decide.</summary>
public static class Includes
{
    public static IQueryable<Collection> WithAccessGraph(this IQueryable<Collection> q) =>
        q.Include(c => c.Members).Include(c => c.Entity).ThenInclude(e => e!.Team).ThenInclude(t => t!.Members);

    public static IQueryable<Container> WithAccessGraph(this IQueryable<Container> q) =>
        q.Include(x => x.Collection).ThenInclude(c => c!.Members)
         .Include(x => x.Collection).ThenInclude(c => c!.Entity).ThenInclude(e => e!.Team).ThenInclude(t => t!.Members);
}
