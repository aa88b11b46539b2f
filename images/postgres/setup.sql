-- The role and database the smoke tests log in as (password "gvmatrix").
CREATE ROLE gvmatrix LOGIN PASSWORD 'gvmatrix';
CREATE DATABASE gvmatrix OWNER gvmatrix;
