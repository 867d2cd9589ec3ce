using MudBlazor;

namespace Registry.Web.Components.Shared;

/// <summary>
/// The one way the UI asks before an action that is hard to take back (revoke, make public, disable, demote):
/// a MudBlazor message box whose Cancel, Escape or backdrop click all answer no.
/// </summary>
public static class Confirm
{
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string message, string yesText) =>
        await dialogs.ShowMessageBoxAsync(title, message, yesText: yesText, cancelText: "Cancel") == true;
}
