namespace Registry.Core.Nodes;

/// <summary>
/// A claim on a name that one request on one node holds while it works (<see cref="ClusterLease"/>): who holds it, and
/// until when unless renewed. A row whose expiry has passed is free for the next request to take over.
/// </summary>
public class Lease
{
    /// <summary>What is claimed, e.g. <c>oci-upload:{staging id}</c>.</summary>
    public string Name { get; set; } = "";
    /// <summary>A random id of the holding request: renewal and release touch only the caller's own claim.</summary>
    public string Holder { get; set; } = "";
    /// <summary>Unix milliseconds (the holding node's clock) after which the claim is free.</summary>
    public long ExpiresAt { get; set; }
}
