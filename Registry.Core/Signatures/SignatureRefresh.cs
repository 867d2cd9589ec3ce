using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Registry.Core.Data;
using Registry.Core.Images;
using Registry.Core.Nodes;
using Registry.Core.Storage;

namespace Registry.Core.Signatures;

/// <summary>
/// Keeps signature verdicts current, in the background and a batch at a time (as <see cref="Search.LabelBackfill"/>): after an
/// upgrade, and right after a signed image is published into a collection that does not wait for its verdict, images never
/// verified (<c>Signed</c> null) are verified once; when a key is pushed, merged, revoked or deleted,
/// the images with a signature naming it are verified again. Key changes are coalesced by fingerprint, so a burst of
/// pushes of one key costs one pass over its images; each image is read once per pass (its signed objects hashed once).
/// Passes run on one node at a time (<see cref="ClusterJob"/>); a node that finds one running elsewhere keeps its own
/// work and asks again after <see cref="ClusterJob.RetryAfter"/>.
/// </summary>
public sealed class SignatureRefresh(IDbContextFactory<RegistryDbContext> dbFactory, IBlobStore blobs, ClusterJobLock jobLock, TimeProvider clock,
    SignatureChecks checks, ILogger<SignatureRefresh> log) : ClusterJob("signature-refresh", jobLock, log)
{
    public const int BatchSize = 50;
    private readonly ConcurrentDictionary<string, byte> pending = new();
    private volatile bool unverified;
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for the images signed by this key to be verified again (returns at once).</summary>
    public void KeyChanged(string fingerprint)
    {
        pending.TryAdd(fingerprint.ToLowerInvariant(), 0);
        wake.Writer.TryWrite(true);
    }

    /// <summary>Asks for the images published without a verdict (signed, in a collection that does not wait for it) to be verified (returns at once).</summary>
    public void VerifyPublished()
    {
        unverified = true;
        wake.Writer.TryWrite(true);
    }

    /// <summary>Verifies every uploaded image not verified yet; returns how many it verified.</summary>
    public Task<int> BackfillAsync(CancellationToken ct = default) =>
        RunAsync(db => db.Images.Where(i => i.Uploaded && i.Signed == null), ct);

    /// <summary>Verifies again every image with a signature naming <paramref name="fingerprint"/>; returns how many it verified.</summary>
    public Task<int> RefreshAsync(string fingerprint, CancellationToken ct = default) =>
        RunAsync(db => db.Images.Where(i => i.Uploaded && db.ImageSignatures.Any(s => s.ImageId == i.Id && s.Fingerprint == fingerprint)), ct);

    private async Task<int> RunAsync(Func<RegistryDbContext, IQueryable<Image>> images, CancellationToken ct)
    {
        var verified = 0;
        var after = "";
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var batch = await images(db).Where(i => i.Id.CompareTo(after) > 0).OrderBy(i => i.Id).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0) return verified;
            foreach (var image in batch)
            {
                var now = clock.GetUtcNow().UtcDateTime;
                // A blob that can't be read now keeps its verdicts (or stays unverified) until the next pass.
                if (await ImageSignatures.VerifyBlobAsync(db, blobs, image.Hash, now, checks, ct) is not { } verdicts) continue;
                await ImageSignatures.StoreAsync(db, image, verdicts, now, ct);
                verified++;
            }
            await db.SaveChangesAsync(ct);
            after = batch[^1].Id;
        }
    }

    protected override string NextTry => "the next start tries again";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // start-up goes on while this runs
        VerifyPublished(); // images stored before signatures were verified (an upgrade), or never verified by a node that stopped
        while (await wake.Reader.WaitToReadAsync(stoppingToken))
        {
            wake.Reader.TryRead(out _);
            if (await RunRoundAsync(PassAsync, stoppingToken) == JobRound.Skipped)
                _ = Task.Delay(RetryAfter, clock, stoppingToken)
                    .ContinueWith(_ => wake.Writer.TryWrite(true), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    private async Task PassAsync(CancellationToken ct)
    {
        if (unverified)
        {
            unverified = false; // before the pass: an image published during it wakes another
            try
            {
                var verified = await BackfillAsync(ct);
                if (verified > 0) Log.LogInformation("verified the signatures of {Count} images not verified yet", verified);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                Log.LogWarning(e, "verifying the signatures of images not verified yet failed; the next start tries again");
            }
        }
        foreach (var fingerprint in pending.Keys)
        {
            if (!pending.TryRemove(fingerprint, out _)) continue;
            try { await RefreshAsync(fingerprint, ct); }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                Log.LogWarning(e, "verifying again the images signed by key {Fingerprint} failed", fingerprint);
            }
        }
    }
}
