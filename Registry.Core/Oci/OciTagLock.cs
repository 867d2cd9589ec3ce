namespace Registry.Core.Oci;

/// <summary>
/// One tag write at a time per container and tag name (in this process). A tag is one thing at a time across both faces
/// (a Library tag on a SIF image, or an <see cref="OciTag"/> on any other manifest) and setting one removes the other:
/// unserialized, two PUTs to one tag, one of each kind, could each remove the other's tag and leave none. Striped, so it
/// holds no memory per tag.
/// </summary>
internal static class OciTagLock
{
    private static readonly SemaphoreSlim[] Stripes = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public static async Task<IDisposable> TakeAsync(string containerId, string tag, CancellationToken ct)
    {
        var stripe = Stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(containerId + "\n" + tag) % (uint)Stripes.Length)];
        await stripe.WaitAsync(ct);
        return new Held(stripe);
    }

    private sealed class Held(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) stripe.Release();
        }
    }
}
