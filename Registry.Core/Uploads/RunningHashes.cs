using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Registry.Core.Uploads;

/// <summary>
/// The whole-file SHA-256 of each open multipart upload, advanced while parts are written, so completing a multi-GB
/// upload doesn't read it all again. Clients send parts in order; a part that arrives out of order just isn't fed, and
/// completion hashes the file from the first part the running hash lacks. A part sent again after it was fed could
/// change bytes already hashed, so it sends that session back to a full re-hash. Kept in memory only: a restart aborts
/// open uploads anyway.
/// </summary>
public sealed class RunningHashes
{
    private readonly ConcurrentDictionary<string, State> _sessions = new(StringComparer.Ordinal);

    /// <summary>A copy of the running hash to feed part <paramref name="partNumber"/> into, or null when that part isn't next.</summary>
    public IncrementalHash? Begin(string sessionId, int partNumber)
    {
        var state = _sessions.GetOrAdd(sessionId, _ => new State());
        lock (state)
        {
            if (partNumber < state.NextPart) state.Broken = true;
            if (state.Broken || state.Feeding || partNumber != state.NextPart) return null;
            state.Feeding = true;
            return state.Hash.Clone();
        }
    }

    /// <summary>Ends a <see cref="Begin"/>: a part stored and verified moves the running hash on; a failed one leaves it as it was.</summary>
    public void End(string sessionId, IncrementalHash? fed, bool stored)
    {
        if (fed is null) return;
        if (!_sessions.TryGetValue(sessionId, out var state))
        {
            fed.Dispose();
            return;
        }
        lock (state)
        {
            state.Feeding = false;
            if (stored && !state.Broken)
            {
                (state.Hash, fed) = (fed, state.Hash);
                state.NextPart++;
            }
        }
        fed.Dispose();
    }

    /// <summary>Takes the session's running hash and how many leading parts it covers (0 and a fresh hash when none).</summary>
    public (IncrementalHash Hash, int PartsCovered) Take(string sessionId)
    {
        if (_sessions.TryRemove(sessionId, out var state))
            lock (state)
                if (!state.Broken && !state.Feeding) return (state.Hash, state.NextPart - 1);
                else state.Hash.Dispose();
        return (IncrementalHash.CreateHash(HashAlgorithmName.SHA256), 0);
    }

    public void Forget(string sessionId)
    {
        if (_sessions.TryRemove(sessionId, out var state)) lock (state) state.Hash.Dispose();
    }

    private sealed class State
    {
        public IncrementalHash Hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public int NextPart = 1;
        public bool Feeding;
        public bool Broken;
    }
}
