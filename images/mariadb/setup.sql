-- The user and database the smoke tests log in as (password "gvmatrix").
CREATE DATABASE gvmatrix;
CREATE USER 'gvmatrix'@'%' IDENTIFIED BY 'gvmatrix';
GRANT ALL PRIVILEGES ON gvmatrix.* TO 'gvmatrix'@'%';
