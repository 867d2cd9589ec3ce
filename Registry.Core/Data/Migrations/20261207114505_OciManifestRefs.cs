using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Core.Data.Migrations
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "Size",
                table: "OciBlobLinks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "OciManifestRefs",
                columns: table => new
                {
                    ManifestId = table.Column<string>(type: "TEXT", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false)
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
