using System.ComponentModel.DataAnnotations;

namespace Registry.Web.Components.Account.Pages;

/// <summary>The account-name form of <see cref="ExternalLogin"/>, for a first sign-in with a provider.</summary>
public sealed class ExternalLoginInput
{
    [Required]
    [StringLength(ExternalUserName.MaxLength, MinimumLength = 1)]
    [Display(Name = "User name")]
    public string UserName { get; set; } = "";

    [Display(Name = "E-mail")]
    public string? Email { get; set; }
}
