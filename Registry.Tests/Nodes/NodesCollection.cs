namespace Registry.Tests.Nodes;

/// <summary>
/// The node tests start several server processes (and HAProxy) each: one class at a time among themselves, so they do not
/// starve each other's start-up on a 2-core runner; they still run beside the other collections. The three-node set-up
/// (<see cref="ThreeNodes"/>) is shared by the classes that use it and starts only when one of them runs.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NodesCollection : ICollectionFixture<ThreeNodes>
{
    public const string Name = "Nodes";
}
