using System.ComponentModel.DataAnnotations;

namespace Registry.Web.Components.Account.Pages;

/// <summary>The sign-up form of <see cref="Register"/>.</summary>
public sealed class RegisterInput
{
    [Required]
    [StringLength(64, MinimumLength = 1)]
    [Display(Name = "User name")]
    public string UserName { get; set; } = "";

    // Optional: [EmailAddress] would refuse the empty string a blank field posts, so it is checked on submit.
    [Display(Name = "E-mail")]
    public string? Email { get; set; }

    [Required]
    [StringLength(100, ErrorMessage = "The {0} must be at least {2} and at max {1} characters long.", MinimumLength = 6)]
    [DataType(DataType.Password)]
    [Display(Name = "Password")]
    public string Password { get; set; } = "";

    [DataType(DataType.Password)]
    [Display(Name = "Confirm password")]
    [Compare("Password", ErrorMessage = "The password and confirmation password do not match.")]
    public string ConfirmPassword { get; set; } = "";
}
