using Registry.Core;

namespace Registry.Web.Components.Shared;

/// <summary>The apptainer commands that make this registry a remote (shown with a new token and on collection pages).</summary>
public static class RemoteSetup
{
    /// <summary>The registry's name as a remote name: lowercase letters, digits and dashes.</summary>
    public static string Name(RegistryOptions options)
    {
        var name = new string(options.Name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        return name.Length == 0 ? "registry" : name;
    }

    /// <summary><c>--insecure</c> only over plain http: apptainer refuses an http remote without it.</summary>
    public static string Add(RegistryOptions options, string baseUri) =>
        $"apptainer remote add{(new Uri(baseUri).Scheme == "http" ? " --insecure" : "")} {Name(options)} {baseUri.TrimEnd('/')}";
}
