using System.ComponentModel.DataAnnotations;

namespace Registry.Web.Components.Account.Pages.Manage;

/// <summary>The verification-code form of <see cref="EnableAuthenticator"/>.</summary>
public sealed class AuthenticatorCodeInput
{
    [Required]
    [StringLength(7, ErrorMessage = "The {0} must be at least {2} and at max {1} characters long.", MinimumLength = 6)]
    [DataType(DataType.Text)]
    [Display(Name = "Verification Code")]
    public string Code { get; set; } = "";
}
