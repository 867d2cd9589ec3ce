using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Entities;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>Entities, collections and containers: the steps before an image push. See: docs/library-api.md §Push.</summary>
public static class CatalogueApi
{
    public static void MapCatalogueApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/entities/{name}", GetEntity)
            .Doc("Catalogue", "GetEntity", "An entity (a user's or team's namespace) by name: the collections you may see, `size` = the bytes of their uploaded images").Returns<EntityJson>();
        app.MapPost("/v1/entities", CreateEntity)
            .Doc("Catalogue", "CreateEntity", "Create an entity (only your own user name or a team you own)").Returns<EntityJson>().Body<CreateEntityRequest>();
        app.MapGet("/v1/collections/{entity}/{name}", GetCollection)
            .Doc("Catalogue", "GetCollection", "A collection by entity and name; private ones only for those who may see them; `size` = the bytes of its uploaded images").Returns<CollectionJson>();
        app.MapPost("/v1/collections", CreateCollection)
            .Doc("Catalogue", "CreateCollection", "Create a collection in an entity").Returns<CollectionJson>().Body<CreateCollectionRequest>();
        app.MapGet("/v1/containers/{entity}/{collection}/{name}", GetContainer)
            .Doc("Catalogue", "GetContainer", "A container with its images, tags per architecture, `size` (bytes of its uploaded images) and its collection's stars").Returns<ContainerJson>();
        app.MapPost("/v1/containers", CreateContainer)
            .Doc("Catalogue", "CreateContainer", "Create a container in a collection").Returns<ContainerJson>().Body<CreateContainerRequest>();
    }

    private static Task<IResult> GetEntity(string name, HttpContext context, EntityService entities, CatalogueCache cache) =>
        cache.AnswerAsync(context, () => entities.FindAsync(context.GetActor(), name, context.RequestAborted), EntityJson.From);

    private static async Task<IResult> CreateEntity(Validated<CreateEntityRequest> body, HttpContext context, EntityService entities) =>
        Envelope.From(await entities.CreateAsync(context.GetActor(), body.Value.Name!, context.RequestAborted), EntityJson.From);

    private static Task<IResult> GetCollection(string entity, string name, HttpContext context, CollectionService collections, CatalogueCache cache) =>
        cache.AnswerAsync(context, () => collections.FindAsync(context.GetActor(), entity, name, context.RequestAborted), CollectionJson.From);

    private static async Task<IResult> CreateCollection(Validated<CreateCollectionRequest> body, HttpContext context, CollectionService collections)
    {
        var request = body.Value;
        // The client always sends private:false, so only true is taken as a wish; the entity's default decides otherwise.
        var created = await collections.CreateAsync(context.GetActor(), request.Entity!, request.Name!, request.Description ?? "",
            request.Private ? true : null, context.RequestAborted);
        return Envelope.From(created, CollectionJson.From);
    }

    private static Task<IResult> GetContainer(string entity, string collection, string name, HttpContext context, ContainerService containers, CatalogueCache cache) =>
        cache.AnswerAsync(context, () => containers.FindAsync(context.GetActor(), entity, collection, name, context.RequestAborted), ContainerJson.From);

    private static async Task<IResult> CreateContainer(Validated<CreateContainerRequest> body, HttpContext context, ContainerService containers)
    {
        var request = body.Value;
        var created = await containers.CreateAsync(context.GetActor(), request.Collection!, request.Name!, request.Description ?? "", context.RequestAborted);
        return Envelope.From(created, ContainerJson.From);
    }
}
