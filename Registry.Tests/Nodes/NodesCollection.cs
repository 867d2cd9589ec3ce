namespace Registry.Tests.Nodes;

/// <summary>
/// The node tests start several server processes (and HAProxy) each: one class at a time among themselves, so they do not
/// starve each other's start-up on a 2-core runner; they still run beside the other collections.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NodesCollection
{
    public const string Name = "Nodes";
}
