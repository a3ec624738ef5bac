CREATE SCHEMA IF NOT EXISTS "catalog";
--> statement-breakpoint
CREATE TABLE "catalog"."products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sku" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"price_amount" bigint NOT NULL,
	"price_currency" char(3) NOT NULL,
	"category" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_sku_unique" UNIQUE("sku"),
	CONSTRAINT "products_price_amount_check" CHECK ("catalog"."products"."price_amount" >= 0),
	CONSTRAINT "products_price_currency_check" CHECK ("catalog"."products"."price_currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE INDEX "products_created_at_id_idx" ON "catalog"."products" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "products_category_created_at_id_idx" ON "catalog"."products" USING btree ("category","created_at","id");