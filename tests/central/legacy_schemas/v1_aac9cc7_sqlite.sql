-- Frozen: the DDL that Database.migrate() executed on an empty sqlite database
-- at commit aac9cc7 (schema_migrations version 1), captured statement by
-- statement from the old code, plus a few rows. Never edit: it is what installations
-- made by that release hold. Loaded by tests/central/test_migrations.py.
CREATE TABLE schema_migrations (
	version INTEGER NOT NULL,
	name VARCHAR(100) NOT NULL,
	applied_at DATETIME NOT NULL,
	PRIMARY KEY (version)
);

CREATE TABLE change_counter (
	id INTEGER NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE changes (
	seq BIGINT NOT NULL,
	entity VARCHAR(32) NOT NULL,
	"key" VARCHAR(200) NOT NULL,
	op VARCHAR(10) NOT NULL,
	data TEXT NOT NULL,
	everyone BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (seq)
);

CREATE TABLE change_units (
	unit VARCHAR(32) NOT NULL,
	seq BIGINT NOT NULL,
	PRIMARY KEY (unit, seq)
);

CREATE TABLE counters (
	name VARCHAR(64) NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE units (
	code VARCHAR(32) NOT NULL,
	name VARCHAR(200) NOT NULL,
	leader VARCHAR(200) NOT NULL,
	data TEXT NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (code)
);

CREATE TABLE users (
	name VARCHAR(64) NOT NULL,
	role VARCHAR(16) NOT NULL,
	unit VARCHAR(32),
	display_name VARCHAR(200) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	disabled BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE seats (
	code VARCHAR(32) NOT NULL,
	prefix VARCHAR(64) NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	revoked BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (code),
	UNIQUE (token_hash)
);

CREATE TABLE sessions (
	token_hash VARCHAR(64) NOT NULL,
	user VARCHAR(64) NOT NULL,
	seat VARCHAR(32) NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	revoked BOOLEAN NOT NULL,
	PRIMARY KEY (token_hash)
);

CREATE TABLE seat_logins (
	user VARCHAR(64) NOT NULL,
	seat VARCHAR(32) NOT NULL,
	first_at DATETIME NOT NULL,
	last_at DATETIME NOT NULL,
	PRIMARY KEY (user, seat)
);

CREATE TABLE clients (
	client_id VARCHAR(64) NOT NULL,
	seat VARCHAR(32) NOT NULL,
	last_mutation_id BIGINT NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (client_id)
);

CREATE TABLE mutations (
	client_id VARCHAR(64) NOT NULL,
	mutation_id BIGINT NOT NULL,
	op_id VARCHAR(64) NOT NULL,
	user VARCHAR(64) NOT NULL,
	command VARCHAR(40) NOT NULL,
	status VARCHAR(10) NOT NULL,
	result TEXT NOT NULL,
	applied_at DATETIME NOT NULL,
	PRIMARY KEY (client_id, mutation_id)
);

CREATE TABLE orders (
	order_id VARCHAR(64) NOT NULL,
	version INTEGER NOT NULL,
	state VARCHAR(24) NOT NULL,
	type VARCHAR(16) NOT NULL,
	channel VARCHAR(16) NOT NULL,
	unit VARCHAR(32) NOT NULL,
	co_units TEXT NOT NULL,
	caller_phone VARCHAR(64) NOT NULL,
	confidential BOOLEAN NOT NULL,
	leader_instructed BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	dispatched_at DATETIME NOT NULL,
	deadline DATETIME NOT NULL,
	signed_at DATETIME,
	replied_at DATETIME,
	closed_at DATETIME,
	overdue BOOLEAN NOT NULL,
	urged_at DATETIME,
	criticised BOOLEAN NOT NULL,
	next_callback_at DATETIME,
	updated_at DATETIME NOT NULL,
	snapshot TEXT NOT NULL,
	PRIMARY KEY (order_id)
);

CREATE INDEX ix_orders_state_deadline ON orders (state, deadline);

CREATE INDEX ix_orders_caller_phone ON orders (caller_phone);

CREATE TABLE order_units (
	unit VARCHAR(32) NOT NULL,
	order_id VARCHAR(64) NOT NULL,
	PRIMARY KEY (unit, order_id)
);

CREATE TABLE order_events (
	order_id VARCHAR(64) NOT NULL,
	seq INTEGER NOT NULL,
	kind VARCHAR(32) NOT NULL,
	at DATETIME NOT NULL,
	actor VARCHAR(64) NOT NULL,
	role VARCHAR(16) NOT NULL,
	unit VARCHAR(32),
	seat VARCHAR(32),
	event TEXT NOT NULL,
	PRIMARY KEY (order_id, seq)
);

CREATE INDEX ix_order_events_kind_at ON order_events (kind, at);

CREATE TABLE contacts (
	contact_id VARCHAR(64) NOT NULL,
	order_id VARCHAR(64),
	outcome VARCHAR(16) NOT NULL,
	received_at DATETIME NOT NULL,
	seat VARCHAR(32),
	agent VARCHAR(64),
	caller_phone VARCHAR(64) NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (contact_id)
);

CREATE INDEX ix_contacts_order_id ON contacts (order_id);

CREATE TABLE notices (
	number VARCHAR(64) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	year INTEGER NOT NULL,
	serial INTEGER NOT NULL,
	order_id VARCHAR(64) NOT NULL,
	unit VARCHAR(32) NOT NULL,
	copied_to VARCHAR(200) NOT NULL,
	issued_at DATETIME NOT NULL,
	issued_by VARCHAR(64) NOT NULL,
	text TEXT NOT NULL,
	PRIMARY KEY (number)
);

CREATE INDEX ix_notices_order_id ON notices (order_id);

CREATE INDEX ix_notices_unit ON notices (unit);

CREATE TABLE callbacks (
	order_id VARCHAR(64) NOT NULL,
	queue VARCHAR(16) NOT NULL,
	status VARCHAR(16) NOT NULL,
	attempts INTEGER NOT NULL,
	next_at DATETIME,
	announced_at DATETIME,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (order_id)
);

CREATE TABLE kb_articles (
	id VARCHAR(64) NOT NULL,
	version INTEGER NOT NULL,
	deleted BOOLEAN NOT NULL,
	data TEXT NOT NULL,
	updated_at DATETIME NOT NULL,
	updated_by VARCHAR(64) NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE kb_proposals (
	proposal_id VARCHAR(64) NOT NULL,
	unit VARCHAR(32),
	user VARCHAR(64) NOT NULL,
	status VARCHAR(16) NOT NULL,
	article_id VARCHAR(64),
	data TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	decided_at DATETIME,
	decided_by VARCHAR(64),
	reason TEXT NOT NULL,
	PRIMARY KEY (proposal_id)
);

CREATE TABLE job_leases (
	name VARCHAR(64) NOT NULL,
	holder VARCHAR(128) NOT NULL,
	expires_at DATETIME NOT NULL,
	PRIMARY KEY (name)
);

INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'initial schema', '2026-03-01 08:00:00.000000');

INSERT INTO change_counter (id, value) VALUES (1, 1);

INSERT INTO units (code, name, leader, data, updated_at) VALUES ('U001', '市住建局', '分管副市长 王明', '{"code": "U001"}', '2026-03-01 08:00:00.000000');

INSERT INTO changes (seq, entity, key, op, data, everyone, created_at) VALUES (1, 'unit', 'U001', 'put', '{}', 1, '2026-03-01 08:00:00.000000');
