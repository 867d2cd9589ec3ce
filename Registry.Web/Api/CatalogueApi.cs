using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Entities;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>Entities, collections and containers: the steps before an image push. See: LIBRARY-API.md §6 steps 1–6.</summary>
public static class CatalogueApi
{
    public static void MapCatalogueApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/entities/{name}", async (string name, HttpContext context, EntityService entities) =>
            Envelope.From(await entities.FindAsync(context.GetActor(), name, context.RequestAborted), EntityJson.From))
            .Doc("Catalogue", "GetEntity", "An entity (a user's or team's namespace) by name: the collections you may see, `size` = the bytes of their uploaded images").Returns<EntityJson>();

        app.MapPost("/v1/entities", async (HttpContext context, EntityService entities) =>
        {
            var (body, error) = await JsonBody.ReadAsync<CreateEntityRequest>(context);
            if (error is not null) return error;
            return Envelope.From(await entities.CreateAsync(context.GetActor(), body!.Name!, context.RequestAborted), EntityJson.From);
        }).Doc("Catalogue", "CreateEntity", "Create an entity (only your own user name or a team you own)").Returns<EntityJson>().Body<CreateEntityRequest>();

        app.MapGet("/v1/collections/{entity}/{name}", async (string entity, string name, HttpContext context, CollectionService collections) =>
            Envelope.From(await collections.FindAsync(context.GetActor(), entity, name, context.RequestAborted), CollectionJson.From))
            .Doc("Catalogue", "GetCollection", "A collection by entity and name; private ones only for those who may see them; `size` = the bytes of its uploaded images").Returns<CollectionJson>();

        app.MapPost("/v1/collections", async (HttpContext context, CollectionService collections) =>
        {
            var (body, error) = await JsonBody.ReadAsync<CreateCollectionRequest>(context);
            if (error is not null) return error;
            // The client always sends private:false, so only true is taken as a wish; the entity's default decides otherwise.
            var created = await collections.CreateAsync(context.GetActor(), body!.Entity!, body.Name!, body.Description ?? "",
                body.Private ? true : null, context.RequestAborted);
            return Envelope.From(created, CollectionJson.From);
        }).Doc("Catalogue", "CreateCollection", "Create a collection in an entity").Returns<CollectionJson>().Body<CreateCollectionRequest>();

        app.MapGet("/v1/containers/{entity}/{collection}/{name}", async (string entity, string collection, string name, HttpContext context, ContainerService containers) =>
            Envelope.From(await containers.FindAsync(context.GetActor(), entity, collection, name, context.RequestAborted), ContainerJson.From))
            .Doc("Catalogue", "GetContainer", "A container with its images, tags per architecture, `size` (bytes of its uploaded images) and its collection's stars").Returns<ContainerJson>();

        app.MapPost("/v1/containers", async (HttpContext context, ContainerService containers) =>
        {
            var (body, error) = await JsonBody.ReadAsync<CreateContainerRequest>(context);
            if (error is not null) return error;
            var created = await containers.CreateAsync(context.GetActor(), body!.Collection!, body.Name!, body.Description ?? "", context.RequestAborted);
            return Envelope.From(created, ContainerJson.From);
        }).Doc("Catalogue", "CreateContainer", "Create a container in a collection").Returns<ContainerJson>().Body<CreateContainerRequest>();
    }
}
