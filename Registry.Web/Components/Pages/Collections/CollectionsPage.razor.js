// The list's address follows its filter, but only while the list is still shown. The server's NavigationManager.NavigateTo
// arrived after a click on a collection made in the meantime and took the user back to the list.
export function replaceWhileOn(path, url) {
    if (location.pathname !== path) return false;
    Blazor.navigateTo(url, { replaceHistoryEntry: true });
    return true;
}
