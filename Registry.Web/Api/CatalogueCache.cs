using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>
/// The catalogue reads (<c>GET /v1/entities|collections|containers/…</c>, sregistry's listings) answered from memory: each
/// answer's JSON is kept per URL and per view (the asker's user, admin flag, token scope and collection restriction: everything
/// <see cref="AccessRules"/> reads) until the next database write (<see cref="WriteGeneration"/>, every node's and the
/// admin CLI's) and for a minute at most (download counters move without a write signal). A cold answer costs a compiled
/// query or two and their materialisation; a warm one a dictionary lookup, like the image lookups behind every pull.
/// Bounded by bytes, not entries: a collection of 2,000 containers answers about 100 KB.
/// </summary>
public sealed class CatalogueCache(WriteGeneration writes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private const long MaxBytes = 64L << 20;
    private const int MaxAnswer = 1 << 20;
    private sealed record Answer(long Generation, long Until, int Status, byte[] Json);
    private readonly ConcurrentDictionary<string, Answer> _answers = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>The envelope of <paramref name="read"/>'s result (success through <paramref name="map"/>), cached.</summary>
    public Task<IResult> AnswerAsync<T, TOut>(HttpContext context, Func<Task<Result<T>>> read, Func<T, TOut> map) =>
        AnswerAsync(context, async () =>
        {
            var found = await read();
            var status = found.Succeeded ? StatusCodes.Status200OK : Envelope.StatusOf(found.Outcome);
            return (status, found.Succeeded ? new { data = map(found.Value!) } : Envelope.ErrorBody(status, found.Message));
        });

    /// <summary>
    /// <paramref name="read"/>'s status and JSON body, cached per URL (the public base, path and query: bodies may link
    /// to the next page) and view.
    /// </summary>
    public async Task<IResult> AnswerAsync(HttpContext context, Func<Task<(int Status, object Body)>> read)
    {
        var key = KeyOf(context);
        var generation = writes.Current; // noted before the read: a write landing meanwhile leaves an entry already stale
        if (_answers.TryGetValue(key, out var hit) && hit.Generation == generation && Stopwatch.GetTimestamp() < hit.Until)
            return new CachedJson(hit.Status, hit.Json);
        var (status, body) = await read();
        var answer = new Answer(generation, CacheExpiry.FromNow(Lifetime), status, JsonSerializer.SerializeToUtf8Bytes(body, Envelope.Json));
        Keep(key, answer);
        return new CachedJson(answer.Status, answer.Json);
    }

    private void Keep(string key, Answer answer)
    {
        if (answer.Json.Length > MaxAnswer) return;
        if (Interlocked.Add(ref _bytes, answer.Json.Length + key.Length) > MaxBytes)
        {
            _answers.Clear(); // bounds memory, not correctness: the next reads fill it again
            Interlocked.Exchange(ref _bytes, answer.Json.Length + key.Length);
        }
        _answers[key] = answer;
    }

    private static string KeyOf(HttpContext context)
    {
        var actor = context.GetActor();
        return $"{context.BaseUrl()}{context.Request.Path}{context.Request.QueryString}\n{actor.UserId}\n{actor.IsAdmin}\n{actor.Scope}\n{actor.RestrictedToCollectionId}";
    }

    private sealed class CachedJson(int status, byte[] json) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = json.Length;
            return context.Response.Body.WriteAsync(json).AsTask();
        }
    }
}
