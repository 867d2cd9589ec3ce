namespace Registry.Tests.Api;

/// <summary>The registry on a data folder the test keeps: disposing it and creating another on the same folder is a restart.</summary>
public sealed class SameDataFactory(string dataPath) : RegistryApiFactory(dataPath);
