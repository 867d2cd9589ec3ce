using MudBlazor;

namespace Registry.Web.Components.Layout;

/// <summary>The app's MudBlazor theme. Fonts come from the system: no web fonts are fetched (registries often run offline).</summary>
public static class RegistryTheme
{
    private static readonly string[] SystemFonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#1b5e9a", AppbarBackground = "#1b5e9a", Secondary = "#00897b" },
        Typography = new Typography { Default = new DefaultTypography { FontFamily = SystemFonts } },
    };
}
