DROP TABLE segments;
DROP TABLE funnels;
DROP TABLE goals;
