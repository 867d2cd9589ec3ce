using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OciManifestRefs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "RefsStored",
                table: "OciManifests",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "Size",
                table: "OciBlobLinks",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "OciManifestRefs",
                columns: table => new
                {
                    ManifestId = table.Column<string>(type: "text", nullable: false),
                    Hash = table.Column<string>(type: "text", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OciManifestRefs", x => new { x.ManifestId, x.Hash });
                    table.ForeignKey(
                        name: "FK_OciManifestRefs_OciManifests_ManifestId",
                        column: x => x.ManifestId,
                        principalTable: "OciManifests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OciManifestRefs_Hash",
                table: "OciManifestRefs",
                column: "Hash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OciManifestRefs");

            migrationBuilder.DropColumn(
                name: "RefsStored",
                table: "OciManifests");

            migrationBuilder.DropColumn(
                name: "Size",
                table: "OciBlobLinks");
        }
    }
}
