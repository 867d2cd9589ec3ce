namespace Registry.Core.Keys;

/// <summary>What an HKP <c>search</c> term matches: a fingerprint, a key id (0x…, leading zeros optional), an 8-digit short id or text of a user id.</summary>
public static class KeySearch
{
    public static IQueryable<PublicKey> Matching(IQueryable<PublicKey> keys, string search)
    {
        var hex = HexOf(search);
        if (hex is { Length: 40 or 64 })
            return keys.Where(k => k.Fingerprint == hex);
        if (hex is { Length: <= 16 })
        {
            // Signature verification sends the 64-bit key id without leading zeros; key pull may send the 8-digit short id.
            var keyId = hex.PadLeft(16, '0');
            var shortId = hex.Length == 8 ? hex : null;
            return keys.Where(k => k.KeyId == keyId || k.SubkeyIds.Contains(" " + keyId + " ")
                || (shortId != null && (k.KeyId.EndsWith(shortId) || k.SubkeyIds.Contains(shortId + " "))));
        }
        var text = search.Trim().ToLowerInvariant();
        return keys.Where(k => k.Uids.ToLower().Contains(text));
    }

    /// <summary>Lowercase hex digits of a <c>0x</c>-prefixed term, or of a bare term of 8, 16, 40 or 64 hex digits; null for text.</summary>
    private static string? HexOf(string search)
    {
        var term = search.Trim();
        var prefixed = term.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (prefixed) term = term[2..];
        if (term.Length == 0 || !term.All(Uri.IsHexDigit)) return null;
        if (!prefixed && term.Length is not (8 or 16 or 40 or 64)) return null;
        return term.Length is <= 16 or 40 or 64 ? term.ToLowerInvariant() : null;
    }
}
