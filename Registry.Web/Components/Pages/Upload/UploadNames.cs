using System.Text.RegularExpressions;

namespace Registry.Web.Components.Pages.Upload;

/// <summary>Turns a file name into a valid container name suggestion (<c>My Tool_v2.sif</c> → <c>my-tool_v2</c>).</summary>
public static partial class UploadNames
{
    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex Invalid();

    [GeneratedRegex("[._-]{2,}")]
    private static partial Regex Runs();

    public static string Suggest(string fileName)
    {
        var name = Invalid().Replace(fileName.ToLowerInvariant(), "-");
        name = Runs().Replace(name, m => m.Value[..1]).Trim('.', '_', '-');
        return name.Length > Registry.Core.Names.MaxLength ? name[..Registry.Core.Names.MaxLength].Trim('.', '_', '-') : name;
    }
}
