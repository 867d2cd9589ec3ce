using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class SignatureVerdicts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SignedBy",
                table: "Images",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "OnlySigned",
                table: "Collections",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ImageSignatures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ImageId = table.Column<string>(type: "TEXT", nullable: false),
                    ObjectId = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    Fingerprint = table.Column<string>(type: "TEXT", nullable: true),
                    KeyUserId = table.Column<string>(type: "TEXT", nullable: true),
                    KeyUploader = table.Column<string>(type: "TEXT", nullable: true),
                    Detail = table.Column<string>(type: "TEXT", nullable: false),
                    CheckedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImageSignatures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ImageSignatures_Images_ImageId",
                        column: x => x.ImageId,
                        principalTable: "Images",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ImageSignatures_Fingerprint",
                table: "ImageSignatures",
                column: "Fingerprint");

            migrationBuilder.CreateIndex(
                name: "IX_ImageSignatures_ImageId",
                table: "ImageSignatures",
                column: "ImageId");

            // What Signed said before was "the SIF has a signature object", unchecked: forget it, so the background
            // check (SignatureRefresh) verifies every older image once.
            migrationBuilder.Sql("UPDATE Images SET Signed = NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImageSignatures");

            migrationBuilder.DropColumn(
                name: "SignedBy",
                table: "Images");

            migrationBuilder.DropColumn(
                name: "OnlySigned",
                table: "Collections");
        }
    }
}
