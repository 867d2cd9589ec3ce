using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OciArtifacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "ImageId",
                table: "OciManifests",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AddColumn<string>(
                name: "SubjectHash",
                table: "OciManifests",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "OciTags",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    ContainerId = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Hash = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OciTags", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OciTags_Containers_ContainerId",
                        column: x => x.ContainerId,
                        principalTable: "Containers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OciManifests_ContainerId_SubjectHash",
                table: "OciManifests",
                columns: new[] { "ContainerId", "SubjectHash" });

            migrationBuilder.CreateIndex(
                name: "IX_OciTags_ContainerId_Name",
                table: "OciTags",
                columns: new[] { "ContainerId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OciTags");

            migrationBuilder.DropIndex(
                name: "IX_OciManifests_ContainerId_SubjectHash",
                table: "OciManifests");

            migrationBuilder.DropColumn(
                name: "SubjectHash",
                table: "OciManifests");

            migrationBuilder.AlterColumn<string>(
                name: "ImageId",
                table: "OciManifests",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
        }
    }
}
