-- The shop's tables. The application does not create them; run these (or let a test do it) first.
-- MariaDB (jdbc/stock):
CREATE TABLE shop_stock (sku VARCHAR(64) PRIMARY KEY, quantity INT NOT NULL) ENGINE=InnoDB;
CREATE TABLE shop_reservations (order_id VARCHAR(64) PRIMARY KEY, sku VARCHAR(64) NOT NULL, quantity INT NOT NULL) ENGINE=InnoDB;
-- PostgreSQL (jdbc/orders):
CREATE TABLE shop_orders (id VARCHAR(64) PRIMARY KEY, sku VARCHAR(64) NOT NULL, quantity INT NOT NULL);
