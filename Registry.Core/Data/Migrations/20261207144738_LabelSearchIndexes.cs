using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class LabelSearchIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ImageLabels_Key",
                table: "ImageLabels",
                column: "Key");

            migrationBuilder.CreateIndex(
                name: "IX_ImageLabels_Value",
                table: "ImageLabels",
                column: "Value");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ImageLabels_Key",
                table: "ImageLabels");

            migrationBuilder.DropIndex(
                name: "IX_ImageLabels_Value",
                table: "ImageLabels");
        }
    }
}
