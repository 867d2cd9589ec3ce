using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Registry.Core.Data;

namespace Registry.Core.Nodes;

/// <summary>
/// A named claim held by one request at a time across every node for as long as it streams (a <c>/v2/</c> upload
/// session's writer). An in-process claim first, so a node refuses itself without a database trip; on PostgreSQL then a
/// <see cref="Lease"/> row, taken, renewed and dropped by single short statements on the pool.
/// Why not an advisory lock held on a connection of its own (what this replaced): that is one connection per in-flight
/// PATCH for the whole stream, minutes for a big layer, so enough concurrent uploads reached <c>max_connections</c> and
/// every node failed with them. Here a stream holds no connection. The price: a node killed mid-stream keeps the name
/// until its claim runs out (<see cref="Lifetime"/>), then the next request takes it over. The holder renews every third
/// of the lifetime and stops (<see cref="Held.Token"/> cancelled) once two thirds passed unrenewed, before any other node
/// may take over, so a name never has two writers while the nodes' clocks agree within a few seconds.
/// On SQLite there is one server, and the in-process claim is the whole claim.
/// </summary>
public sealed class ClusterLease(IDbContextFactory<RegistryDbContext> dbFactory, IOptions<RegistryOptions> options, TimeProvider clock,
    ILogger<ClusterLease> log)
{
    /// <summary>How long a claim lasts unrenewed: how long a session waits for a node that died writing it.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, byte> _here = new(StringComparer.Ordinal);
    private readonly ILogger _log = log;

    /// <summary>The claim if nobody on any node holds it now, else null (the caller answers "busy").</summary>
    public async Task<Held?> TryTakeAsync(string name, CancellationToken ct)
    {
        if (!_here.TryAdd(name, 0)) return null;
        var holder = Ids.New();
        try
        {
            if (options.Value.Database != DatabaseProvider.PostgreSql) return new Held(this, name, null, ct);
            if (await ClaimAsync(name, holder, ct)) return new Held(this, name, holder, ct);
        }
        catch
        {
            _here.TryRemove(name, out _);
            throw;
        }
        _here.TryRemove(name, out _);
        return null;
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    // Taking over an expired claim is one conditional UPDATE, a free name one INSERT of its key: of two nodes racing for
    // one name, the second's UPDATE finds the claim live again (PostgreSQL re-reads the row it waited for) or its INSERT
    // hits the key.
    private async Task<bool> ClaimAsync(string name, string holder, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Now();
        var until = now + (long)Lifetime.TotalMilliseconds;
        if (await db.Leases.Where(l => l.Name == name && l.ExpiresAt < now)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.Holder, holder).SetProperty(l => l.ExpiresAt, until), ct) == 1) return true;
        db.Leases.Add(new Lease { Name = name, Holder = holder, ExpiresAt = until });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return false; // held elsewhere, and live
        }
    }

    private async Task<bool> RenewAsync(string name, string holder)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var until = Now() + (long)Lifetime.TotalMilliseconds;
        return await db.Leases.Where(l => l.Name == name && l.Holder == holder).ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, until)) == 1;
    }

    private async Task ReleaseAsync(string name, string holder)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        // Claims of killed nodes that nobody took over go too once long expired: the table stays the size of what is in flight.
        var abandoned = Now() - (long)TimeSpan.FromHours(1).TotalMilliseconds;
        await db.Leases.Where(l => (l.Name == name && l.Holder == holder) || l.ExpiresAt < abandoned).ExecuteDeleteAsync();
    }

    /// <summary>A claim while held. <see cref="Token"/>: the request's, also cancelled when the claim could not be renewed in time.</summary>
    public sealed class Held : IAsyncDisposable
    {
        private readonly ClusterLease _owner;
        private readonly string _name;
        private readonly string? _holder;
        private readonly CancellationToken _request;
        private readonly CancellationTokenSource _guard;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing = Task.CompletedTask;
        private int _released;

        internal Held(ClusterLease owner, string name, string? holder, CancellationToken request)
        {
            (_owner, _name, _holder, _request) = (owner, name, holder, request);
            _guard = CancellationTokenSource.CreateLinkedTokenSource(request);
            if (holder is null) return;
            _guard.CancelAfter(Lifetime * 2 / 3);
            _renewing = RenewWhileHeldAsync(holder);
        }

        /// <summary>Cancelled when the request is, or when the claim ran out under it (then stop writing: <see cref="Lost"/>).</summary>
        public CancellationToken Token => _guard.Token;

        /// <summary>Whether the claim ran out while held (the database out of reach for two renewals): another request may have it now.</summary>
        public bool Lost => _guard.IsCancellationRequested && !_request.IsCancellationRequested;

        private async Task RenewWhileHeldAsync(string holder)
        {
            using var every = new PeriodicTimer(Lifetime / 3);
            try
            {
                while (await every.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        if (await _owner.RenewAsync(_name, holder)) _guard.CancelAfter(Lifetime * 2 / 3);
                        else
                        {
                            await _guard.CancelAsync(); // not ours any more: it had run out and was taken over
                            return;
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _owner._log.LogWarning(e, "could not renew the claim on {Name}; its request stops if this goes on", _name);
                    }
                }
            }
            catch (OperationCanceledException) { } // released
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            await _stop.CancelAsync();
            await _renewing;
            try
            {
                if (_holder is not null) await _owner.ReleaseAsync(_name, _holder);
            }
            catch (Exception e)
            {
                _owner._log.LogWarning(e, "could not release the claim on {Name}; it runs out by itself in {Lifetime}", _name, Lifetime);
            }
            finally
            {
                _owner._here.TryRemove(_name, out _);
                _guard.Dispose();
                _stop.Dispose();
            }
        }
    }
}
