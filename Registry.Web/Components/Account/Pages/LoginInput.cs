using System.ComponentModel.DataAnnotations;

namespace Registry.Web.Components.Account.Pages;

/// <summary>The sign-in form of <see cref="Login"/>.</summary>
public sealed class LoginInput
{
    // Holds a user name or an e-mail address (the name "Email" is what PasskeySubmit expects).
    [Required]
    [Display(Name = "User name or e-mail")]
    public string Email { get; set; } = "";

    [Required]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Display(Name = "Remember me?")]
    public bool RememberMe { get; set; }

    public PasskeyInputModel? Passkey { get; set; }
}
